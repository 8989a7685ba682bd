package io.credsync.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

class RdsIamTokensTest {

    /**
     * The token botocore's {@code generate_db_auth_token} gives for these inputs at this instant
     * (its clock fixed the same way): an implementation independent of ours, and the one the AWS
     * CLI uses, so equality to the byte means RDS accepts what we make.
     */
    private static final String BOTOCORE_TOKEN = "db.example.eu-west-1.rds.amazonaws.com:5432/?Action=connect"
            + "&DBUser=credsync&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIDEXAMPLE%2F20261128%2Feu-west-1%2Frds-db%2Faws4_request"
            + "&X-Amz-Date=20261128T120000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=803ed89caf2de25b28556b9368a22d316e61a5cf1e16ad1e166240d3e0eebd3d";

    @Test
    void shouldMakeTheSameTokenAsBotocoreForTheSameInputsAndInstant() {
        RdsIamTokens tokens = new RdsIamTokens(Region.EU_WEST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE",
                        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")),
                Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC));

        String token = tokens.token("db.example.eu-west-1.rds.amazonaws.com", 5432, "credsync");

        assertThat(sortedQuery(token)).isEqualTo(sortedQuery(BOTOCORE_TOKEN));
    }

    /** The same parameters in any order are the same token to RDS. */
    private static String sortedQuery(String token) {
        int q = token.indexOf('?');
        return token.substring(0, q + 1) + String.join("&",
                java.util.Arrays.stream(token.substring(q + 1).split("&")).sorted().toList());
    }
}
