package io.herdlab.users;

import java.util.ArrayList;
import java.util.List;

/** The body of {@code PUT /users/{id}}. */
record UserUpdate(String name, String email, String bio) {

    /** What is wrong with this body; empty when it is valid. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (name == null || name.isBlank()) {
            problems.add("name is required");
        }
        else if (name.length() > 100) {
            problems.add("name must be at most 100 characters");
        }
        if (email == null || !email.matches("[^@\\s]+@[^@\\s]+")) {
            problems.add("email must look like an e-mail address");
        }
        else if (email.length() > 200) {
            problems.add("email must be at most 200 characters");
        }
        if (bio != null && bio.length() > 1000) {
            problems.add("bio must be at most 1000 characters");
        }
        return problems;
    }

    UserUpdate withDefaults() {
        return new UserUpdate(name.strip(), email.strip(), bio == null ? "" : bio);
    }
}
