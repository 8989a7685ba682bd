package io.credsync.replication;

/**
 * The first byte of every pgoutput message, for every type PostgreSQL 15 can send with
 * protocol versions 1 to 3.
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
    MESSAGE('M', "Message"),
    /** Protocol version 2 and later: a block of a large in-progress transaction begins. */
    STREAM_START('S', "Stream Start"),
    STREAM_STOP('E', "Stream Stop"),
    STREAM_COMMIT('c', "Stream Commit"),
    STREAM_ABORT('A', "Stream Abort"),
    /** Protocol version 3 (two-phase commit, PostgreSQL 15). */
    BEGIN_PREPARE('b', "Begin Prepare"),
    PREPARE('P', "Prepare"),
    COMMIT_PREPARED('K', "Commit Prepared"),
    ROLLBACK_PREPARED('r', "Rollback Prepared"),
    STREAM_PREPARE('p', "Stream Prepare");

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

    /** The name PostgreSQL's documentation uses, e.g. "Stream Commit". */
    public String label() {
        return label;
    }

    /**
     * The type identified by a message's first byte.
     *
     * @throws PgOutputDecodeException naming the byte if no PostgreSQL 15 message has it: a
     *     newer server or protocol version than we asked for, or a misaligned read
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
