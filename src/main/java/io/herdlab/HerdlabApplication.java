package io.herdlab;

import java.util.Arrays;

import io.herdlab.lab.LabCommand;
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

    /** {@code java -jar herdlab.jar} runs the service; {@code java -jar herdlab.jar lab …} the lab runner. */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("lab")) {
            System.exit(LabCommand.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        SpringApplication.run(HerdlabApplication.class, args);
    }
}
