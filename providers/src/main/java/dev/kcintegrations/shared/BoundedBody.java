package dev.kcintegrations.shared;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Reads a request body, refusing to buffer more than a limit. */
public final class BoundedBody {

    private BoundedBody() {
    }

    /** @return the body, or empty when it is longer than {@code limit} bytes */
    public static Optional<byte[]> read(InputStream in, int limit) throws IOException {
        if (in == null) {
            return Optional.of(new byte[0]);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 8192));
        byte[] buffer = new byte[8192];
        int total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
            if (total > limit) {
                return Optional.empty();
            }
            out.write(buffer, 0, n);
        }
        return Optional.of(out.toByteArray());
    }
}
