package io.credsync.cli;

import io.credsync.CredsyncVersion;
import picocli.CommandLine.IVersionProvider;

/** picocli's {@code --version}: "credsync" and {@link CredsyncVersion#current()}. */
final class Version implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {"credsync " + CredsyncVersion.current()};
    }
}
