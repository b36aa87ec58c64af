package io.herdlab.problem;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ProblemConfiguration {

    /** One mapping, so one set of incident logs: a burst is one burst whichever endpoint answers it. */
    @Bean
    Problems problems() {
        return new Problems();
    }
}
