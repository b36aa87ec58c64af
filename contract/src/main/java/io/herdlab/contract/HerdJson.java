package io.herdlab.contract;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The JSON mapper for the contract's records. */
public final class HerdJson {

    /**
     * Reads the records as the service writes them: fields a record does not name are ignored, and
     * absent numbers read as 0 (Jackson 3 would otherwise refuse an absent primitive).
     */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private HerdJson() {
    }
}
