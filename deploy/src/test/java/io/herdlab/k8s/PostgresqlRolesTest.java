package io.herdlab.k8s;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.herdlab.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.herdlab.k8s.KubernetesManifests.named;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart's PostgreSQL init script, rendered by Helm and run with psql against the machine's
 * PostgreSQL as the entrypoint runs it (superuser, POSTGRES_DB): the app's role owns its
 * database and is no superuser, the exporter's role reads pg_stat_activity, and running the
 * script again changes nothing.
 */
class PostgresqlRolesTest {

	final String suffix = UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);

	final String appRole = "herd_app_" + suffix;

	final String exporterRole = "herd_exporter_" + suffix;

	TestDatabase db;

	@TempDir
	Path scratch;

	@AfterEach
	void dropDatabaseAndRoles() throws SQLException {
		if (db != null) {
			db.close();
		}
		try (Connection admin = connect("postgres", "postgres"); Statement statement = admin.createStatement()) {
			statement.execute("DROP ROLE IF EXISTS " + appRole);
			statement.execute("DROP ROLE IF EXISTS " + exporterRole);
		}
	}

	@Test
	void appRoleOwnsItsDatabaseWithoutBeingSuperuserAndTheExporterMonitors() throws Exception {
		db = TestDatabase.create(PostgresqlRolesTest.class);
		List<HasMetadata> chart = KubernetesManifests.parse(HelmChart.template(
				Map.of("postgresql.username", appRole, "postgresql.exporterUsername", exporterRole,
						"postgresql.database", db.name())));
		Container postgres = named(chart, Deployment.class, "herdlab-postgresql").getSpec().getTemplate().getSpec()
				.getContainers().get(0);
		assertThat(env(postgres, "POSTGRES_USER").getValue()).as("the entrypoint's superuser").isEqualTo("postgres");
		assertThat(env(HelmChartTest.appContainer(named(chart, Deployment.class, "herdlab")), "SPRING_R2DBC_USERNAME")
				.getValue()).isEqualTo(appRole);
		Path script = Scripts.executable(scratch.resolve("10-roles.sh"),
				named(chart, ConfigMap.class, "herdlab-postgresql-init").getData().get("10-roles.sh"));

		Map<String, String> env = new HashMap<>();
		env.put("PGHOST", TestDatabase.HOST);
		env.put("PGPORT", String.valueOf(TestDatabase.PORT));
		env.put("POSTGRES_USER", "postgres");
		env.put("POSTGRES_DB", db.name());
		env.put("APP_USER", appRole);
		env.put("APP_PASSWORD", "app-secret");
		env.put("EXPORTER_USER", exporterRole);
		env.put("EXPORTER_PASSWORD", "exporter-secret");
		for (int run = 1; run <= 2; run++) {
			Scripts.Result result = Scripts.run(List.of("sh", script.toString()), env, Duration.ofMinutes(1));
			assertThat(result.exit()).as("run %d: %s", run, result.both()).isZero();
		}

		try (Connection admin = connect("postgres", db.name()); Statement statement = admin.createStatement()) {
			assertThat(single(statement, "SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = '"
					+ appRole + "'")).isEqualTo("f");
			assertThat(single(statement, "SELECT rolsuper FROM pg_roles WHERE rolname = '" + exporterRole + "'")).isEqualTo("f");
			assertThat(single(statement, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"))
					.isEqualTo(appRole);
			assertThat(single(statement, "SELECT pg_has_role('" + exporterRole + "', 'pg_monitor', 'MEMBER')")).isEqualTo("t");
			assertThat(single(statement, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'"))
					.isEqualTo("1");
		}
		// the app creates its schema as its own role
		try (Connection app = connect(appRole, db.name()); Statement statement = app.createStatement()) {
			statement.execute("CREATE TABLE IF NOT EXISTS users (id BIGINT PRIMARY KEY)");
			assertThat(single(statement, "SELECT current_user")).isEqualTo(appRole);
		}
	}

	private static Connection connect(String user, String database) throws SQLException {
		return DriverManager.getConnection("jdbc:postgresql://" + TestDatabase.HOST + ":" + TestDatabase.PORT + "/" + database,
				user, "");
	}

	private static String single(Statement statement, String sql) throws SQLException {
		try (ResultSet rows = statement.executeQuery(sql)) {
			assertThat(rows.next()).as(sql).isTrue();
			return rows.getString(1);
		}
	}

	private static EnvVar env(Container container, String name) {
		return container.getEnv().stream().filter(env -> env.getName().equals(name)).findFirst()
				.orElseThrow(() -> new AssertionError("no env " + name));
	}

}
