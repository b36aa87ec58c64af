package io.herdlab;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * herdlab: {@code GET /users/{id}} read-through Redis in front of PostgreSQL, with switchable
 * thundering-herd mitigations.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class HerdlabApplication {

    public static void main(String[] args) {
        SpringApplication.run(HerdlabApplication.class, args);
    }
}
