package io.credsync.cli;

import io.credsync.install.InstallKind;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code --kind}: {@code native} or {@code pgtle}, in any case, or {@code auto}, which
 * converts to null: detect. Stateless and thread-safe.
 */
final class InstallKindConverter implements ITypeConverter<InstallKind>, Iterable<String> {

    private static final List<String> VALUES = List.of("auto", "native", "pgtle");

    @Override
    public InstallKind convert(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (InstallKind kind : InstallKind.values()) {
            if (kind.value().equals(v)) {
                return kind;
            }
        }
        if (v.equals("auto")) {
            return null;
        }
        throw new TypeConversionException("must be auto, native or pgtle, got " + value);
    }

    /** The values, for picocli's help ({@code completionCandidates}). */
    @Override
    public Iterator<String> iterator() {
        return VALUES.iterator();
    }
}
