package dev.rewind.storage.file;

import dev.rewind.spi.storage.StorageReads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.EventStoreException;
import dev.rewind.ExpectedVersion;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer or any number of readers use a store directory at a time, through an OS file lock that dies
 * with its owner.
 */
class FileStorageLockTest {
    @TempDir
    Path dir;

    private String refusal() {
        return "the store directory " + dir + " is in use: another process (or another storage in this one) has it"
                + " open (lock file " + dir.resolve("rewind.lock") + "); a writer excludes everyone, readers exclude"
                + " writers";
    }

    @Test
    void a_second_jvm_is_refused_and_once_the_owner_is_killed_with_sigkill_the_next_open_succeeds() throws Exception {
        try (FileStorage first = FileStorage.open(dir)) {
            first.append("s", ExpectedVersion.noStream(), List.of(FileStorageGroupCommitTest.event("before")),
                    Clock.systemUTC());
        }
        try (ChildProcesses.Child owner = new ChildProcesses.Child(ChildProcesses.LockHolder.class, dir.toString())) {
            assertThat(owner.lines.poll(60, TimeUnit.SECONDS)).isEqualTo("LOCKED " + dir);

            assertThatThrownBy(() -> FileStorage.open(dir)).isExactlyInstanceOf(EventStoreException.class)
                    .hasMessage(refusal());

            owner.kill();
        }
        try (FileStorage next = FileStorage.open(dir)) {
            assertThat(next.nextPosition()).isEqualTo(1);
            next.append("s", ExpectedVersion.exactly(0), List.of(FileStorageGroupCommitTest.event("after")),
                    Clock.systemUTC());
            assertThat(next.nextPosition()).isEqualTo(2);
        }
    }

    @Test
    void a_second_open_in_the_same_jvm_is_refused_and_close_releases_the_lock() {
        FileStorage first = FileStorage.open(dir);
        assertThatThrownBy(() -> FileStorage.open(dir)).isExactlyInstanceOf(EventStoreException.class)
                .hasMessage(refusal());
        first.close();
        try (FileStorage again = FileStorage.open(dir)) {
            assertThat(again.nextPosition()).isZero();
        }
    }

    @Test
    void a_closed_storage_refuses_appends_and_reads_with_the_directory_named() {
        FileStorage storage = FileStorage.open(dir);
        storage.close();
        storage.close(); // closing twice is harmless
        assertThatThrownBy(() -> storage.append("s", ExpectedVersion.any(),
                List.of(FileStorageGroupCommitTest.event("late")), Clock.systemUTC()))
                .isExactlyInstanceOf(EventStoreException.class)
                .hasMessage("the file storage at " + dir + " is closed");
        assertThatThrownBy(() -> StorageReads.page(storage, 0, 10)).hasMessage("the file storage at " + dir + " is closed");
    }

    @Test
    void readers_share_the_store_a_writer_excludes_them_and_they_exclude_a_writer() {
        try (FileStorage writer = FileStorage.open(dir)) {
            writer.append("s", ExpectedVersion.noStream(), List.of(FileStorageGroupCommitTest.event("one")),
                    Clock.systemUTC());
            assertThatThrownBy(() -> FileStorage.openReadOnly(dir)).isExactlyInstanceOf(EventStoreException.class)
                    .hasMessage(refusal());
            assertThatThrownBy(() -> FileStorage.verify(dir)).hasMessage(refusal());
        }
        FileStorage a = FileStorage.openReadOnly(dir);
        try (FileStorage b = FileStorage.openReadOnly(dir)) {
            assertThat(StorageReads.page(a, 0, 10)).hasSize(1);
            assertThat(StorageReads.page(b, 0, 10)).hasSize(1);
            assertThat(FileStorage.verify(dir).outcome()).isEqualTo(VerifyReport.Outcome.SOUND);
            assertThatThrownBy(() -> FileStorage.open(dir)).hasMessage(refusal());
            a.close();
            assertThatThrownBy(() -> FileStorage.open(dir)).as("b still reads").hasMessage(refusal());
        }
        try (FileStorage writer = FileStorage.open(dir)) {
            assertThat(writer.nextPosition()).isEqualTo(1);
        }
    }

    @Test
    void a_reader_in_another_jvm_is_refused_while_a_writer_holds_the_store() throws Exception {
        FileStorage.open(dir).close();
        try (ChildProcesses.Child owner = new ChildProcesses.Child(ChildProcesses.LockHolder.class, dir.toString())) {
            assertThat(owner.lines.poll(60, TimeUnit.SECONDS)).isEqualTo("LOCKED " + dir);
            assertThatThrownBy(() -> FileStorage.openReadOnly(dir)).hasMessage(refusal());
            owner.kill();
        }
        try (FileStorage reader = FileStorage.openReadOnly(dir)) {
            assertThat(reader.nextPosition()).isZero();
        }
    }

    @Test
    void a_read_only_storage_refuses_appends_naming_the_directory() {
        FileStorage.open(dir).close();
        try (FileStorage reader = FileStorage.openReadOnly(dir)) {
            assertThatThrownBy(() -> reader.append("s", ExpectedVersion.any(),
                    List.of(FileStorageGroupCommitTest.event("no")), Clock.systemUTC()))
                    .isExactlyInstanceOf(EventStoreException.class)
                    .hasMessage("the file storage at " + dir + " is open read-only: appends are refused");
        }
    }
}
