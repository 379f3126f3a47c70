package dev.rewind.storage.postgres;

import static dev.rewind.spi.projection.contract.ProjectionStoreContract.checkpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.EventStoreException;
import dev.rewind.spi.projection.Lease;
import dev.rewind.spi.projection.LeaseLostException;
import dev.rewind.spi.projection.ProjectionLeases;
import dev.rewind.spi.projection.ProjectionStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Owner leases in PostgreSQL (docs/adr/0015-projection-ownership.md) between two storages on one schema,
 * as two application instances would hold them: one holder at a time, a greater token for every grant,
 * an expired lease never renewed, and a fenced save of a writer that lost its lease changes nothing and
 * says who holds the lease now.
 */
class PostgresLeasesTest extends SharedSchemaTest {
    private static final String SCHEMA = TestDatabase.schema("leases");
    private static final Duration LONG = Duration.ofSeconds(30);
    private static final Duration SHORT = Duration.ofMillis(300);

    PostgresLeasesTest() {
        super(SCHEMA);
    }

    private ProjectionLeases a() {
        return (ProjectionLeases) storage.projectionStore();
    }

    private ProjectionLeases b() {
        return (ProjectionLeases) other.projectionStore();
    }

    @Test
    void one_instance_holds_a_lease_the_other_sees_who() {
        Lease lease = a().acquire("totals", "instance-a", LONG).orElseThrow();
        assertThat(lease.token()).isEqualTo(1);
        assertThat(b().acquire("totals", "instance-b", LONG)).isEmpty();
        assertThat(b().holder("totals")).hasValueSatisfying(h -> {
            assertThat(h.owner()).isEqualTo("instance-a");
            assertThat(h.token()).isEqualTo(1);
            assertThat(h.duration()).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(31));
        });
        a().renew(lease);
        assertThat(b().holder("other")).isEmpty();
    }

    @Test
    void an_expired_lease_is_taken_over_with_a_greater_token_and_the_old_holder_can_neither_renew_nor_save() {
        Lease old = a().acquire("totals", "instance-a", SHORT).orElseThrow();
        ProjectionStore oldStore = storage.projectionStore();
        oldStore.save(checkpoint("totals", 3, new byte[] {3}), old);
        assertThat(fencingToken("totals")).isEqualTo(old.token());

        Lease taken = poll(() -> b().acquire("totals", "instance-b", LONG), "instance-b to take the expired lease");
        assertThat(taken.token()).isGreaterThan(old.token());
        other.projectionStore().save(checkpoint("totals", 7, new byte[] {7}), taken);

        assertThatThrownBy(() -> a().renew(old)).isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("instance 'instance-a' no longer holds its lease (token " + old.token() + ")")
                .hasMessageContaining("instance 'instance-b' holds it now with token " + taken.token());
        assertThatThrownBy(() -> oldStore.save(checkpoint("totals", 5, new byte[] {5}), old))
                .isInstanceOfSatisfying(LeaseLostException.class, e -> {
                    assertThat(e.name()).isEqualTo("totals");
                    assertThat(e.owner()).isEqualTo("instance-a");
                    assertThat(e.currentOwner()).isEqualTo("instance-b");
                    assertThat(e.currentToken()).isEqualTo(taken.token());
                })
                .hasMessageStartingWith("'totals': saving the checkpoint of 'totals' at position 5 was refused");
        // the new holder's checkpoint stays, whole
        assertThat(oldStore.load("totals")).hasValueSatisfying(c -> assertThat(c.position()).isEqualTo(7));
        assertThat(fencingToken("totals")).isEqualTo(taken.token());
    }

    @Test
    void an_expired_lease_that_no_one_took_is_not_renewed_its_holder_must_acquire_again() {
        Lease old = a().acquire("totals", "instance-a", SHORT).orElseThrow();
        poll(() -> b().holder("totals").isEmpty() ? Optional.of(true) : Optional.empty(), "the lease to expire");
        assertThatThrownBy(() -> a().renew(old)).isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("the lease expired (token now " + old.token() + ")");
        assertThatThrownBy(() -> storage.projectionStore().save(checkpoint("totals", 1, null), old))
                .isInstanceOf(LeaseLostException.class);
        Lease again = a().acquire("totals", "instance-a", LONG).orElseThrow();
        assertThat(again.token()).isGreaterThan(old.token());
    }

    @Test
    void a_released_lease_is_free_at_once_and_its_token_never_goes_back() {
        Lease first = a().acquire("totals", "instance-a", LONG).orElseThrow();
        a().release(first);
        assertThat(a().holder("totals")).isEmpty();
        Lease second = b().acquire("totals", "instance-b", LONG).orElseThrow();
        assertThat(second.token()).isEqualTo(first.token() + 1);
        a().release(first); // no longer held: nothing happens
        assertThat(b().holder("totals")).map(Lease::owner).contains("instance-b");
        // the same owner acquiring again (a restart with a fixed id) gets a new tenure: its old token is fenced
        Lease third = b().acquire("totals", "instance-b", LONG).orElseThrow();
        assertThat(third.token()).isEqualTo(second.token() + 1);
        assertThatThrownBy(() -> other.projectionStore().save(checkpoint("totals", 1, null), second))
                .isInstanceOf(LeaseLostException.class);
        other.projectionStore().save(checkpoint("totals", 1, null), third);
    }

    @Test
    void a_newer_token_s_checkpoint_is_not_replaced_by_an_older_one_even_with_a_lease_row_matching() throws Exception {
        Lease lease = a().acquire("totals", "instance-a", LONG).orElseThrow();
        storage.projectionStore().save(checkpoint("totals", 3, null), lease);
        // a row written under a later token (as by a newer owner); the lease row itself still says token 1
        sql("UPDATE " + SCHEMA + ".rewind_checkpoints SET fencing_token = 99 WHERE name = 'totals'");
        assertThatThrownBy(() -> storage.projectionStore().save(checkpoint("totals", 4, null), lease))
                .isInstanceOf(LeaseLostException.class);
        assertThat(storage.projectionStore().load("totals")).hasValueSatisfying(c -> assertThat(c.position()).isEqualTo(3));
    }

    @Test
    void bad_input_is_refused_naming_what() {
        assertThatThrownBy(() -> a().acquire("totals", "instance-a", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duration must be positive");
        Lease lease = a().acquire("totals", "instance-a", LONG).orElseThrow();
        assertThatThrownBy(() -> storage.projectionStore().save(checkpoint("sums", 1, null), lease))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the checkpoint of 'sums' cannot be saved under the lease of 'totals'");
    }

    @Test
    void a_read_only_storage_reads_the_holder_but_takes_no_lease() {
        Lease lease = a().acquire("totals", "instance-a", LONG).orElseThrow();
        try (PostgresStorage reader = TestDatabase.builder(SCHEMA).readOnly().build()) {
            ProjectionLeases leases = (ProjectionLeases) reader.projectionStore();
            assertThat(leases.holder("totals")).map(Lease::token).contains(lease.token());
            assertThatThrownBy(() -> leases.acquire("sums", "reader", LONG)).isInstanceOf(EventStoreException.class)
                    .hasMessageContaining("read-only");
        }
    }

    /** Polls every 20 ms for at most 10 s. */
    static <T> T poll(Supplier<Optional<T>> what, String waitingFor) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Optional<T> v = what.get();
            if (v.isPresent()) {
                return v.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 10 s for " + waitingFor);
            }
            try {
                Thread.sleep(20); // a bounded poll's interval, not a wait for something to happen
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static long fencingToken(String name) {
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT fencing_token FROM " + SCHEMA + ".rewind_checkpoints WHERE name = '"
                     + name + "'")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
