package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Restarts the local PostgreSQL cluster (the one on port 5432 that {@code .ci/start-postgres.sh} runs).
 * Restarting disturbs every other user of the server, so tests that do it run only under {@code CI=true}
 * or {@code REWIND_PG_RESTART_TEST=true}.
 */
final class ServerRestart {
    private ServerRestart() {
    }

    /** @return whether a test may restart the server */
    static boolean allowed() {
        return "true".equalsIgnoreCase(System.getenv("CI"))
                || "true".equalsIgnoreCase(System.getenv("REWIND_PG_RESTART_TEST"));
    }

    /** Restarts the cluster with a fast shutdown (open connections are ended) and waits for it (bounded). */
    static void restart() throws IOException, InterruptedException {
        String[] cluster = localCluster();
        Process p = new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", cluster[0], cluster[1], "restart",
                "-m", "fast").inheritIO().start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("pg_ctlcluster restart finished").isTrue();
        assertThat(p.exitValue()).as("pg_ctlcluster restart exit code").isZero();
    }

    /** @return version and name of the local cluster on port 5432, from pg_lsclusters */
    private static String[] localCluster() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("pg_lsclusters", "-h").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[2].equals("5432")) {
                return new String[] {f[0], f[1]};
            }
        }
        throw new IllegalStateException("no PostgreSQL cluster on port 5432 in pg_lsclusters: " + out);
    }
}
