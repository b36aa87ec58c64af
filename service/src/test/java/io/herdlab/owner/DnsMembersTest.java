package io.herdlab.owner;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The DNS member source against the machine's own resolver: the hosts file stands in for a
 * headless Service (no name server is needed for {@code localhost}), and a name nobody knows fails
 * the resolution, which {@link Members} answers by keeping the members it had.
 */
class DnsMembersTest {

    @Test
    void everyAddressOfTheNameIsAMemberOnTheManagementPort() throws Exception {
        try (DnsMembers dns = new DnsMembers("localhost", 8081)) {
            List<String> members = dns.get().block(Duration.ofSeconds(10));
            assertThat(members).contains("http://127.0.0.1:8081").doesNotHaveDuplicates().isSorted();
            assertThat(dns.get().block(Duration.ofSeconds(10))).as("asked again, not cached").isEqualTo(members);
        }
    }

    @Test
    void anUnknownNameFailsTheResolution() throws Exception {
        try (DnsMembers dns = new DnsMembers("no-such-member.invalid", 8081)) {
            assertThatThrownBy(() -> dns.get().block(Duration.ofSeconds(20))).isNotNull();
        }
    }

    @Test
    void anIpv6AddressIsBracketed() throws Exception {
        assertThat(DnsMembers.url(InetAddress.getByName("::1"), 8081)).isEqualTo("http://[0:0:0:0:0:0:0:1]:8081");
        assertThat(DnsMembers.url(InetAddress.getByName("10.244.1.7"), 8081)).isEqualTo("http://10.244.1.7:8081");
    }
}
