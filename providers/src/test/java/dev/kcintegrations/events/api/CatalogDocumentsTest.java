package dev.kcintegrations.events.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the catalog reads a client's If-None-Match (RFC 9110 §13.1.2) and Accept-Encoding (§12.5.3). */
class CatalogDocumentsTest {

    private static final String ETAG = "W/\"abc\"";

    @Test
    void ifNoneMatchComparesWeaklyAndTakesAListOrAStar() {
        assertTrue(CatalogDocuments.matches("W/\"abc\"", ETAG));
        assertTrue(CatalogDocuments.matches("\"abc\"", ETAG));
        assertTrue(CatalogDocuments.matches("\"x\", W/\"abc\"", ETAG));
        assertTrue(CatalogDocuments.matches("*", ETAG));
        assertFalse(CatalogDocuments.matches("\"abcd\"", ETAG));
        assertFalse(CatalogDocuments.matches(null, ETAG));
        assertFalse(CatalogDocuments.matches("\"abc\"".repeat(1000), ETAG), "an oversized header is not read");
    }

    @Test
    void gzipIsSentWhenListedWithoutQZero() {
        assertTrue(CatalogDocuments.acceptsGzip("gzip"));
        assertTrue(CatalogDocuments.acceptsGzip("deflate, gzip;q=0.5"));
        assertTrue(CatalogDocuments.acceptsGzip("GZIP"));
        assertFalse(CatalogDocuments.acceptsGzip("gzip;q=0"));
        assertFalse(CatalogDocuments.acceptsGzip("gzip; q=0.000"));
        assertFalse(CatalogDocuments.acceptsGzip("br, deflate"));
        assertFalse(CatalogDocuments.acceptsGzip(null));
        assertFalse(CatalogDocuments.acceptsGzip("x-gzip-ish"));
    }
}
