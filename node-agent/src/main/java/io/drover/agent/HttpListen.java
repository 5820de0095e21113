package io.drover.agent;

/**
 * A {@code host:port} to listen on.
 *
 * @param host a host name or address; never blank
 * @param port in [0, 65535]; 0 picks a free port
 */
record HttpListen(String host, int port) {
    /**
     * Parses {@code host:port}; an IPv6 address goes in brackets ({@code [::1]:5051}).
     *
     * @throws IllegalArgumentException naming the value when it is not of that form
     */
    static HttpListen parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("httpListen must be host:port (or \"\" for none), was '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (host.isBlank() || port < 0 || port > 65_535) {
            throw new IllegalArgumentException("httpListen must be host:port with a port in [0, 65535] (or \"\" for none), was '" + text + "'");
        }
        return new HttpListen(host, port);
    }

    /** True when the host is a wildcard address, which nobody can connect to by that name. */
    boolean wildcard() {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
    }
}
