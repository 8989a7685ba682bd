package io.credsync.cli;

import io.credsync.service.ConsumerService;
import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest, or "development" when run from classes. */
final class Version implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {"credsync " + ConsumerService.version()};
    }
}
