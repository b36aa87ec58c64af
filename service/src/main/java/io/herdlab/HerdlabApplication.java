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

    /** {@code java -jar herdlab.jar} runs the service; the lab runner is a jar of its own. */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("lab")) {
            System.err.println("The lab is its own jar now: make lab, or java -jar lab/target/herdlab-lab.jar [--name=value ...]");
            System.exit(2);
        }
        SpringApplication.run(HerdlabApplication.class, args);
    }
}
