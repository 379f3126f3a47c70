package dev.rewind;

/** A stored or appended event has a type name that no registered event type has. */
public class UnknownEventTypeException extends EventStoreException {
    private static final long serialVersionUID = 1L;
    /** The type name no registered type has. */
    private final String type;

    /**
     * @param type the unknown name
     * @param where where it was met (for example "at global position 17")
     */
    public UnknownEventTypeException(String type, String where) {
        super("unknown event type '" + type + "' " + where
                + ": register a record annotated @Event(name = \"" + type + "\")");
        this.type = type;
    }

    /** @return the unknown type name */
    public String type() {
        return type;
    }
}
