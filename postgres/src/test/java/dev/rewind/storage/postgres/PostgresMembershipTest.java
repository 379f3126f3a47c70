package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.EventStoreException;
import dev.rewind.Polls;
import dev.rewind.spi.projection.InstanceMember;
import dev.rewind.spi.projection.InstanceMembership;
import dev.rewind.spi.projection.Lease;
import dev.rewind.spi.projection.ProjectionLeases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The membership of instances in PostgreSQL (docs/adr/0018-spreading-owned-runners.md) between two storages
 * on one schema: a join lists the live members with itself, a member expires by the server's clock unless
 * it joins again, one that leaves is gone at once, and the last holder of a released lease stays known.
 */
class PostgresMembershipTest extends SharedSchemaTest {
    private static final String SCHEMA = TestDatabase.schema("membership");
    private static final Duration LONG = Duration.ofSeconds(30);
    private static final Duration SHORT = Duration.ofMillis(300);

    PostgresMembershipTest() {
        super(SCHEMA);
    }

    private InstanceMembership a() {
        return (InstanceMembership) storage.projectionStore();
    }

    private InstanceMembership b() {
        return (InstanceMembership) other.projectionStore();
    }

    @Test
    void a_join_lists_the_live_members_with_the_runners_each_runs() {
        assertThat(a().join("instance-a", Set.of("totals", "mailer"), LONG))
                .containsExactly(new InstanceMember("instance-a", Set.of("totals", "mailer")));
        assertThat(b().join("instance-b", Set.of("totals"), LONG)).containsExactlyInAnyOrder(
                new InstanceMember("instance-a", Set.of("totals", "mailer")), new InstanceMember("instance-b", Set.of("totals")));
        // joining again renews, with the runners it runs now
        assertThat(a().join("instance-a", Set.of("totals"), LONG)).containsExactlyInAnyOrder(
                new InstanceMember("instance-a", Set.of("totals")), new InstanceMember("instance-b", Set.of("totals")));
        assertThat(b().members()).hasSize(2);
    }

    @Test
    void a_member_that_does_not_join_again_expires_by_the_server_s_clock_and_one_that_leaves_is_gone_at_once() {
        a().join("instance-a", Set.of("totals"), SHORT);
        b().join("instance-b", Set.of("totals"), LONG);
        Polls.until(() -> b().members().size() == 1, Duration.ofSeconds(10), "instance-a's membership to expire");
        assertThat(b().members()).extracting(InstanceMember::instanceId).containsExactly("instance-b");
        // it comes back by joining again
        assertThat(a().join("instance-a", Set.of("totals"), LONG)).extracting(InstanceMember::instanceId)
                .containsExactlyInAnyOrder("instance-a", "instance-b");
        b().leave("instance-b");
        assertThat(a().members()).extracting(InstanceMember::instanceId).containsExactly("instance-a");
        b().leave("instance-b"); // not a member: nothing happens
        assertThat(scalar("SELECT count(*) FROM " + SCHEMA + ".rewind_instances")).isEqualTo(1);
    }

    @Test
    void the_rows_of_instances_that_expired_an_hour_ago_are_deleted_when_an_instance_starts() throws Exception {
        sql("INSERT INTO " + SCHEMA + ".rewind_instances (instance_id, runners, joined_at, renewed_at, expires_at) VALUES"
                + " ('long-dead', ARRAY['totals'], now() - interval '3 hours', now() - interval '2 hours',"
                + " now() - interval '2 hours'), ('just-died', ARRAY['totals'], now(), now(), now())");
        try (PostgresStorage starting = TestDatabase.builder(SCHEMA).build()) {
            ((InstanceMembership) starting.projectionStore()).join("instance-a", Set.of("totals"), LONG);
        }
        assertThat(scalar("SELECT count(*) FROM " + SCHEMA + ".rewind_instances WHERE instance_id = 'long-dead'")).isZero();
        assertThat(scalar("SELECT count(*) FROM " + SCHEMA + ".rewind_instances WHERE instance_id = 'just-died'")).isOne();
    }

    @Test
    void the_last_holder_of_a_released_lease_is_known_a_free_one_has_no_holder() {
        ProjectionLeases leases = (ProjectionLeases) storage.projectionStore();
        assertThat(leases.lastHolder("totals")).isEmpty();
        Lease lease = leases.acquire("totals", "instance-a", LONG).orElseThrow();
        leases.release(lease);
        assertThat(leases.holder("totals")).isEmpty();
        assertThat(leases.lastHolder("totals")).contains("instance-a");
    }

    @Test
    void a_read_only_storage_joins_nothing() {
        try (PostgresStorage reader = TestDatabase.builder(SCHEMA).readOnly().build()) {
            InstanceMembership m = (InstanceMembership) reader.projectionStore();
            assertThatThrownBy(() -> m.join("reader", Set.of("totals"), LONG)).isInstanceOf(EventStoreException.class)
                    .hasMessageContaining("read-only");
            assertThat(m.members()).isEqualTo(List.of());
        }
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static long scalar(String query) {
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(query + ": " + e.getMessage(), e);
        }
    }
}
