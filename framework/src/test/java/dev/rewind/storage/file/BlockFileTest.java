package dev.rewind.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checksummed block container of the index files: any range read gives back the bytes written,
 * whether it lies in one block or spans several (the read moves the blocks' contents together in place),
 * and a damaged block fails the read that touches it.
 */
class BlockFileTest {
    @TempDir
    Path dir;

    @Test
    void every_range_read_gives_back_the_bytes_written_in_one_block_or_across_several() throws IOException {
        long seed = 0x0019L;
        Random random = new Random(seed);
        byte[] written = new byte[5 * BlockFile.PAYLOAD + 123];
        random.nextBytes(written);
        Path file = dir.resolve("blocks");
        long length = write(file, written);
        assertThat(length).isEqualTo(written.length);
        // mappings of two blocks make many reads span two of them (those read positionally); of 1 GiB, none
        for (int chunk : new int[] {2 * BlockFile.BLOCK, MappedFile.CHUNK}) {
            try (BlockFile.Reader reader = new BlockFile.Reader(file, FileChannel.open(file, StandardOpenOption.READ),
                    length, chunk)) {
                assertRanges(reader, written, random, seed);
                assertThat(reader.mapped()).as("mapped by the first look-up").isTrue();
            }
        }
    }

    private static void assertRanges(BlockFile.Reader reader, byte[] written, Random random, long seed) {
        int[][] edges = {{0, 0}, {0, written.length}, {BlockFile.PAYLOAD - 8, 16}, {BlockFile.PAYLOAD, 8},
            {BlockFile.PAYLOAD - 1, 1}, {BlockFile.PAYLOAD - 1, BlockFile.PAYLOAD + 2}, {written.length - 5, 5}};
        for (int[] e : edges) {
            assertRange(reader, written, e[0], e[1], seed);
        }
        for (int i = 0; i < 2000; i++) {
            int at = random.nextInt(written.length);
            int len = random.nextInt(Math.min(written.length - at, 3 * BlockFile.PAYLOAD) + 1);
            assertRange(reader, written, at, len, seed);
        }
    }

    private static void assertRange(BlockFile.Reader reader, byte[] written, int at, int len, long seed) {
        assertBytes(reader.read(at, len), written, at, len, seed);
        assertBytes(reader.scan(at, len), written, at, len, seed);
    }

    private static void assertBytes(ByteBuffer b, byte[] written, int at, int len, long seed) {
        assertThat(b.position()).isZero();
        assertThat(b.remaining()).as("a read of %s bytes at %s (seed %s)", len, at, seed).isEqualTo(len);
        byte[] got = new byte[len];
        b.get(got);
        byte[] expected = java.util.Arrays.copyOfRange(written, at, at + len);
        assertThat(got).as("a read of %s bytes at %s (seed %s)", len, at, seed).isEqualTo(expected);
    }

    @Test
    void a_read_that_touches_a_damaged_block_fails_naming_it_and_one_beside_it_does_not() throws IOException {
        byte[] written = new byte[3 * BlockFile.PAYLOAD];
        new Random(7).nextBytes(written);
        Path file = dir.resolve("blocks");
        long length = write(file, written);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(BlockFile.BLOCK + 100); // in block 1
            int b = f.read();
            f.seek(BlockFile.BLOCK + 100);
            f.write(b ^ 0x01);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            BlockFile.Reader reader = new BlockFile.Reader(file, ch, length);
            assertThat(reader.read(0, BlockFile.PAYLOAD).remaining()).isEqualTo(BlockFile.PAYLOAD);
            assertThatThrownBy(() -> reader.read(BlockFile.PAYLOAD - 10, 20)).isInstanceOf(BlockFile.Damaged.class)
                    .hasMessage("index file " + file + " is damaged (checksum mismatch in block 1)");
            assertThat(reader.read(2L * BlockFile.PAYLOAD, 10).remaining()).isEqualTo(10);
        }
    }

    @Test
    void a_byte_changed_on_disk_while_the_file_is_mapped_fails_the_next_read_and_a_closed_reader_reads_nothing()
            throws IOException {
        byte[] written = new byte[3 * BlockFile.PAYLOAD];
        new Random(11).nextBytes(written);
        Path file = dir.resolve("blocks");
        long length = write(file, written);
        BlockFile.Reader reader = new BlockFile.Reader(file, FileChannel.open(file, StandardOpenOption.READ), length);
        assertThat(reader.read(BlockFile.PAYLOAD + 50, 100).get(0)).isEqualTo(written[BlockFile.PAYLOAD + 50]);
        assertThat(reader.mapped()).isTrue();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) { // another writer, as damage comes
            f.seek(BlockFile.BLOCK + 100);
            int b = f.read();
            f.seek(BlockFile.BLOCK + 100);
            f.write(b ^ 0x01);
        }
        assertThatThrownBy(() -> reader.read(BlockFile.PAYLOAD + 50, 100)).isInstanceOf(BlockFile.Damaged.class)
                .hasMessage("index file " + file + " is damaged (checksum mismatch in block 1)");
        assertThatThrownBy(() -> reader.scan(BlockFile.PAYLOAD + 50, 100)).isInstanceOf(BlockFile.Damaged.class)
                .hasMessage("index file " + file + " is damaged (checksum mismatch in block 1)");
        reader.close();
        assertThatThrownBy(() -> reader.read(0, 10)).hasRootCauseInstanceOf(
                java.nio.channels.ClosedChannelException.class);
        reader.close(); // twice: nothing more happens
    }

    /** @return the logical length written: {@code bytes} through a block file writer into {@code file} */
    private static long write(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            BlockFile.Writer w = new BlockFile.Writer(ch);
            w.put(bytes);
            return w.finish();
        }
    }
}
