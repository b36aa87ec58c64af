package io.herdlab.admin;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The admin operations on the management port ({@code herd.admin.*}).
 *
 * @param token    bearer token every mutating operation must present; unset: open (fine on a
 *                 laptop, where the management port is local; the Helm chart always sets one)
 * @param maxUsers the largest {@code users} a seed or warm accepts
 */
@ConfigurationProperties("herd.admin")
record AdminProperties(@Nullable String token, @DefaultValue("1000000") int maxUsers) {

    boolean open() {
        return token == null || token.isBlank();
    }
}
