package io.credsync.replication;

/**
 * The first byte of every pgoutput message PostgreSQL sends with protocol version 1, the
 * only version credsync requests. The streaming (version 2) and two-phase (version 3) types
 * are deliberately absent: their bytes are unknown types here, so a server sending what was
 * not asked for fails decoding instead of being half understood.
 *
 * <p>Immutable and thread-safe.
 */
public enum MessageType {
    BEGIN('B', "Begin"),
    COMMIT('C', "Commit"),
    ORIGIN('O', "Origin"),
    RELATION('R', "Relation"),
    TYPE('Y', "Type"),
    INSERT('I', "Insert"),
    UPDATE('U', "Update"),
    DELETE('D', "Delete"),
    TRUNCATE('T', "Truncate"),
    MESSAGE('M', "Message");

    private static final MessageType[] BY_CODE = new MessageType[128];

    static {
        for (MessageType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final char code;
    private final String label;

    MessageType(char code, String label) {
        this.code = code;
        this.label = label;
    }

    /** The byte on the wire, e.g. {@code 'I'}. */
    public char code() {
        return code;
    }

    /** The name PostgreSQL's documentation uses, e.g. "Insert". */
    public String label() {
        return label;
    }

    /**
     * The type identified by a message's first byte.
     *
     * @throws PgOutputDecodeException naming the byte if no protocol-1 message has it: a
     *     protocol version we did not ask for, or a misaligned read
     */
    public static MessageType forType(char code) {
        MessageType type = code < BY_CODE.length ? BY_CODE[code] : null;
        if (type == null) {
            throw new PgOutputDecodeException("unknown pgoutput message type " + describe(code));
        }
        return type;
    }

    /** {@code 'X' (0x58)} for printable bytes, {@code 0x07} otherwise. */
    static String describe(int code) {
        String hex = String.format("0x%02X", code);
        return code >= 0x20 && code < 0x7F ? "'" + (char) code + "' (" + hex + ")" : hex;
    }
}
