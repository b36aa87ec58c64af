package io.herdlab;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of a test's own (the machine's binary) on a free port, that the test may kill
 * and start again on the same port, or protect with a password.
 */
public final class PrivateRedis implements AutoCloseable {

    private final int port;
    private final String password;
    private Process process;

    private PrivateRedis(int port, String password) {
        this.port = port;
        this.password = password;
    }

    public static PrivateRedis start(String password) {
        PrivateRedis redis = new PrivateRedis(freePort(), password);
        redis.start();
        return redis;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Starts (or restarts) the server on its port and waits until it accepts connections. */
    public void start() {
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"));
        if (password != null) {
            command.addAll(List.of("--requirepass", password));
        }
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(new File(System.getProperty("java.io.tmpdir"), "private-redis-" + port + ".log"))
                    .start();
        }
        catch (IOException ex) {
            throw new IllegalStateException("cannot start redis-server (is it installed?): " + ex.getMessage(), ex);
        }
        for (int i = 0; i < 100; i++) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            }
            catch (IOException notYet) {
                sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not start on port " + port);
    }

    /** Kills the server at once (SIGKILL): clients see their connections drop. */
    public void kill() {
        Signals.kill(process);
    }

    /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
    public void freeze() {
        Signals.send(process, "STOP");
    }

    /** Lets a frozen server go on (SIGCONT). */
    public void thaw() {
        Signals.send(process, "CONT");
    }

    public int port() {
        return port;
    }

    /** The URL for {@code spring.data.redis.url}, with the password and a database index. */
    public String url(int database) {
        return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port + "/" + database;
    }

    /** Sleeps, keeping an interrupt as the thread's flag rather than an exception. */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        thaw(); // a frozen server ignores SIGTERM but not SIGKILL; thawed, it leaves no stopped process behind
        kill();
    }
}
