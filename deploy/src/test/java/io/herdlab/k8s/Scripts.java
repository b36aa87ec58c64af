package io.herdlab.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.herdlab.RepositoryRoot;

/** Runs the repository's scripts for real, with stand-ins for the cluster tools where needed. */
final class Scripts {

	/** What a finished command left. */
	record Result(int exit, String out, String err, Duration took) {

		String both() {
			return out + err;
		}

	}

	private Scripts() {
	}

	/** Runs {@code command} in the repository root with {@code env} added; fails past {@code timeout}. */
	static Result run(List<String> command, Map<String, String> env, Duration timeout) {
		try {
			Path out = Files.createTempFile("herdlab-script", ".out");
			Path err = Files.createTempFile("herdlab-script", ".err");
			try {
				ProcessBuilder builder = new ProcessBuilder(command).directory(RepositoryRoot.path().toFile())
						.redirectOutput(out.toFile())
						.redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
				builder.environment().putAll(env);
				long start = System.nanoTime();
				Process process = builder.start();
				if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
					process.destroyForcibly();
					throw new AssertionError(command + " did not finish within " + timeout + ": "
							+ Files.readString(out) + Files.readString(err));
				}
				return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
						Files.readString(err, StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - start));
			}
			finally {
				Files.deleteIfExists(out);
				Files.deleteIfExists(err);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Writes an executable script. */
	static Path executable(Path file, String content) {
		try {
			Files.createDirectories(file.getParent());
			Files.writeString(file, content);
			Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The absolute path of a program on PATH; fails with how to get it when it is missing. */
	static String onPath(String program, String install) {
		for (String directory : System.getenv("PATH").split(":")) {
			Path candidate = Path.of(directory, program);
			if (Files.isExecutable(candidate)) {
				return candidate.toString();
			}
		}
		throw new AssertionError(program + " is not installed: " + install);
	}

	/** The lines of a recorded-calls file, empty when nothing was recorded. */
	static List<String> lines(Path file) {
		try {
			return Files.exists(file) ? Files.readAllLines(file) : new ArrayList<>();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
