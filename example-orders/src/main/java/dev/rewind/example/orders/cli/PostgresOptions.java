package dev.rewind.example.orders.cli;

import dev.rewind.storage.postgres.PostgresStorage;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import picocli.CommandLine.Option;

/** Where the demo writes when it runs on PostgreSQL: a server and a schema of its own. */
final class PostgresOptions {
    static final String DEFAULT_SCHEMA = "rewind_demo";

    @Option(names = "--postgres", paramLabel = "JDBC_URL",
            description = "Run on PostgreSQL instead of files, for example jdbc:postgresql://localhost:5432/rewind_test.")
    String url;

    @Option(names = "--pg-user", paramLabel = "USER", defaultValue = "${env:REWIND_PG_USER:-rewind}",
            description = "The database user (default: $REWIND_PG_USER, else rewind).")
    String user;

    @Option(names = "--pg-password", paramLabel = "PASSWORD", defaultValue = "${env:REWIND_PG_PASSWORD:-rewind}",
            description = "Its password (default: $REWIND_PG_PASSWORD, else rewind).")
    String password;

    @Option(names = "--pg-schema", paramLabel = "SCHEMA", converter = Values.SchemaName.class,
            description = "The schema holding the store; it must be empty or absent unless --reset is given "
                    + "(default: " + DEFAULT_SCHEMA + ", dropped and recreated at every run).")
    String schema;

    /** @return the schema the demo writes to */
    String schema() {
        return schema == null ? DEFAULT_SCHEMA : schema;
    }

    boolean enabled() {
        return url != null;
    }

    /**
     * Connects to a store that holds no event, dropping its schema first when allowed.
     *
     * @param reset whether --reset was given
     * @return the storage, empty
     */
    PostgresStorage openEmpty(boolean reset) {
        String s = schema();
        if (schema == null || reset) {
            dropSchema(s);
        }
        PostgresStorage storage = PostgresStorage.builder(url).user(user).password(password).schema(s).build();
        if (storage.nextPosition() != 0) {
            storage.close();
            throw new CliException("the store in schema " + s + " at " + url + " is not empty: give --reset to drop it, "
                    + "or name an empty or absent schema");
        }
        return storage;
    }

    private void dropSchema(String s) {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS \"" + s + "\" CASCADE");
        } catch (SQLException e) {
            throw new CliException("cannot drop schema " + s + " at " + url + " as user " + user + ": " + e.getMessage());
        }
    }
}
