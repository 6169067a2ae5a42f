package org.proctap.exporter;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * {@code --listen [ADDR:]PORT}: where the metrics are served. Without an address, the loopback
 * 127.0.0.1: a host's figures are for whom it lets in, not for the whole network by default.
 * An IPv6 address goes in brackets ({@code [::1]:9090}).
 */
public record ListenAddress(InetAddress address, int port) {

    /** Parses the option's value; {@link IllegalArgumentException} with a message for the user. */
    public static ListenAddress parse(String text) {
        String host = null;
        String port = text;
        int colon = text.lastIndexOf(':');
        if (colon >= 0) {
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("--listen: no address before ':' in '" + text + "'");
            }
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen takes [ADDR:]PORT, not '" + text + "'");
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("--listen: port must be 0-65535, not " + p);
        }
        try {
            // A name resolves once, here: the server binds one address.
            InetAddress a = host == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
            return new ListenAddress(a, p);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--listen: unknown address '" + host + "'");
        }
    }

    /** Whether other hosts can reach it. */
    public boolean exposed() {
        return !address.isLoopbackAddress();
    }

    @Override
    public String toString() {
        String a = address.getHostAddress();
        return (a.contains(":") ? "[" + a + "]" : a) + ":" + port;
    }
}
