package dev.rewind.storage.file;

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

/** One process owns a store directory at a time, through an OS file lock that dies with its owner. */
class FileStorageLockTest {
    @TempDir
    Path dir;

    private String refusal() {
        return "the store directory " + dir + " is already open in another process (or in this one): only one may"
                + " open it at a time (lock file " + dir.resolve("rewind.lock") + ")";
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
            assertThat(next.headPosition()).isEqualTo(1);
            next.append("s", ExpectedVersion.exactly(0), List.of(FileStorageGroupCommitTest.event("after")),
                    Clock.systemUTC());
            assertThat(next.headPosition()).isEqualTo(2);
        }
    }

    @Test
    void a_second_open_in_the_same_jvm_is_refused_and_close_releases_the_lock() {
        FileStorage first = FileStorage.open(dir);
        assertThatThrownBy(() -> FileStorage.open(dir)).isExactlyInstanceOf(EventStoreException.class)
                .hasMessage(refusal());
        first.close();
        try (FileStorage again = FileStorage.open(dir)) {
            assertThat(again.headPosition()).isZero();
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
        assertThatThrownBy(() -> storage.readAll(0, 10)).hasMessage("the file storage at " + dir + " is closed");
    }
}
