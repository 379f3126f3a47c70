package dev.rewind.storage.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy between a test and PostgreSQL that breaks connections at exact points of the protocol,
 * the way a network or a server crash would: it can lose the server's answer to a statement (after the
 * server executed and committed it), it can go down (every connection cut, new ones refused), and it can
 * refuse new connections only. The URL it gives turns SSL off and server-prepared statements off, so that
 * every statement's text passes through it in the clear.
 */
final class CuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String host;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    /** When set, the answer to the next statement whose text contains it is lost, or is the last one. */
    private volatile byte[] marker;
    private volatile boolean downAfterAnswer;
    private volatile boolean down;
    private volatile boolean refusing;
    private volatile boolean closed;

    /** Starts forwarding to the server of {@link TestDatabase#URL}. */
    CuttingProxy() throws IOException {
        URI target = URI.create(TestDatabase.URL.substring("jdbc:".length()));
        this.host = target.getHost();
        this.port = target.getPort() < 0 ? 5432 : target.getPort();
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "cutting-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** @return the test database's URL through this proxy */
    String url() {
        URI target = URI.create(TestDatabase.URL.substring("jdbc:".length()));
        return "jdbc:postgresql://127.0.0.1:" + server.getLocalPort() + target.getPath()
                + "?sslmode=disable&prepareThreshold=0";
    }

    /**
     * The server's answer to the next statement whose text contains {@code text} is lost: the server
     * has executed it (and, in auto-commit mode, committed it) when its first answer bytes arrive, and
     * the proxy cuts the connection instead of passing them on.
     */
    void loseAnswerTo(String text) {
        downAfterAnswer = false;
        marker = text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The proxy goes down as the next statement whose text contains {@code text} passes: every other
     * connection is cut and new ones are refused, the statement's answer is passed on, then its
     * connection is cut too.
     */
    void downAfterAnswerTo(String text) {
        downAfterAnswer = true;
        marker = text.getBytes(StandardCharsets.UTF_8);
    }

    /** Cuts every connection and refuses new ones until {@link #up()}. */
    void down() {
        down = true;
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }

    /** Accepts connections again. */
    void up() {
        down = false;
        refusing = false;
    }

    /**
     * Refuses new connections and leaves the open ones alone, until {@link #up()}: with their server
     * processes ended from outside, a client then cannot reach the server at all.
     */
    void refuseNew() {
        refusing = true;
    }

    /** @return how many client connections pass through the proxy now */
    int openConnections() {
        return sockets.size() / 2;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (down || refusing) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(host, port);
                sockets.add(client);
                sockets.add(upstream);
                Connection connection = new Connection(client, upstream);
                pump("client->server", client, upstream, connection, true);
                pump("server->client", upstream, client, connection, false);
            } catch (IOException e) {
                if (!closed) {
                    continue; // one connection failed; keep accepting
                }
            }
        }
    }

    /** One proxied connection: whether the next answer on it is the one to lose (or the last one). */
    private static final class Connection {
        final Socket client;
        final Socket upstream;
        volatile boolean answerIsMarked;

        Connection(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }
    }

    private void pump(String name, Socket from, Socket to, Connection c, boolean fromClient) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    byte[] m = marker;
                    if (fromClient && m != null && contains(buffer, n, m)) {
                        marker = null;
                        c.answerIsMarked = true;
                        if (downAfterAnswer) {
                            // Every other connection goes now, before the statement runs: nothing the
                            // server sends on them from here on (a notification of this very commit) and
                            // nothing the client sends once it has the answer gets through.
                            down = true;
                            for (Socket s : sockets) {
                                if (s != c.client && s != c.upstream) {
                                    closeQuietly(s);
                                }
                            }
                        }
                    } else if (!fromClient && c.answerIsMarked) {
                        c.answerIsMarked = false;
                        if (downAfterAnswer) {
                            out.write(buffer, 0, n);
                            out.flush();
                            closeQuietly(c.client);
                            closeQuietly(c.upstream);
                        } else {
                            closeQuietly(c.client);
                            closeQuietly(c.upstream);
                        }
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side went away: the other goes too
            } finally {
                closeQuietly(c.client);
                closeQuietly(c.upstream);
                sockets.remove(c.client);
                sockets.remove(c.upstream);
            }
        }, "cutting-proxy-" + name);
        t.setDaemon(true);
        t.start();
    }

    private static boolean contains(byte[] buffer, int n, byte[] m) {
        outer:
        for (int i = 0; i + m.length <= n; i++) {
            for (int j = 0; j < m.length; j++) {
                if (buffer[i + j] != m[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        down();
    }
}
