package io.herdlab;

import java.io.IOException;

/** Unix signals to a test's own processes ({@code kill -STOP}, {@code kill -CONT}). */
final class Signals {

    private Signals() {
    }

    /** Sends {@code SIG<name>} to {@code process}; fails when {@code kill} does. */
    static void send(Process process, String name) {
        try {
            int rc = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
            if (rc != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited with " + rc);
            }
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending SIG" + name, ex);
        }
    }

    /** {@code kill -KILL}, and waits (up to 10 s) until the process is gone. */
    static void kill(Process process) {
        process.destroyForcibly();
        try {
            process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
