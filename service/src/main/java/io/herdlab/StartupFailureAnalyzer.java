package io.herdlab;

import java.util.Locale;

import io.herdlab.users.DatabaseNotReadyException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalysisReporter;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * The start-up mistakes a newcomer makes, each explained in one line that names the property
 * (and its environment variable) that fixes it: a busy port, a bad {@code herd.*} value (such as
 * an unknown preset), a PostgreSQL that never came up, embedded servers that cannot start.
 * Registered in {@code META-INF/spring.factories}; ordered before Spring Boot's own analyzers.
 */
class StartupFailureAnalyzer implements FailureAnalyzer, Ordered {

    private final Environment environment;

    StartupFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    public @Nullable FailureAnalysis analyze(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            FailureAnalysis analysis = analyzeOne(t);
            if (analysis != null) {
                return new FailureAnalysis(analysis.getDescription(), analysis.getAction(), failure);
            }
        }
        return null;
    }

    private @Nullable FailureAnalysis analyzeOne(Throwable t) {
        String message = t.getMessage() == null ? "" : t.getMessage();
        if (t instanceof PortInUseException busy) {
            boolean management = String.valueOf(busy.getPort()).equals(environment.getProperty("management.server.port"));
            String property = management ? "management.server.port" : "server.port";
            return new FailureAnalysis("port " + busy.getPort() + " (" + property + ") is already in use, perhaps by"
                    + " another herdlab", "stop that process, or choose a free port: make run " + (management
                    ? "ADMIN_PORT" : "PORT") + "=<port> (" + env(property) + "=<port>, --" + property + "=<port>)",
                    t);
        }
        if (t instanceof IllegalArgumentException && message.startsWith("herd.")) {
            String property = message.substring(0, message.indexOf(' ') < 0 ? message.length() : message.indexOf(' '));
            return new FailureAnalysis(message, "set --" + property + "=<value> (env " + env(property) + ")", t);
        }
        if (t instanceof DatabaseNotReadyException) {
            return new FailureAnalysis(message + " at " + environment.getProperty("spring.r2dbc.url"),
                    "start PostgreSQL (scripts/ensure-services.sh does it on this machine), or point SPRING_R2DBC_URL"
                            + " at one; unset it to use the embedded PostgreSQL", t);
        }
        if (message.startsWith("Could not start the embedded servers")) {
            return new FailureAnalysis(message, "set SPRING_R2DBC_URL and SPRING_DATA_REDIS_URL to servers of your own"
                    + " (see the README's Configuration section)", t);
        }
        return null;
    }

    /** Spring Boot's relaxed binding: {@code herd.mitigation.preset} ↔ {@code HERD_MITIGATION_PRESET}. */
    static String env(String property) {
        return property.replace("-", "").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    /**
     * Prints an analysis as one line on stderr, instead of Spring Boot's framed report (whose
     * logger application.yaml turns off).
     */
    static final class OneLineReporter implements FailureAnalysisReporter {

        @Override
        public void report(FailureAnalysis analysis) {
            String action = analysis.getAction() == null ? "" : " Fix: " + oneLine(analysis.getAction());
            System.err.println("herdlab did not start: " + oneLine(analysis.getDescription()) + "." + action);
        }

        private static String oneLine(String text) {
            return text.strip().replaceAll("\\s*\\n\\s*", " ").replaceAll("\\.$", "");
        }
    }
}
