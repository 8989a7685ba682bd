package io.credsync.connection;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.regions.Region;

/**
 * RDS IAM authentication tokens: a SigV4 pre-signed {@code rds-db:connect} request for the host,
 * port and user, valid for 15 minutes, used as the password of one new connection. Made with
 * the SDK's own signer rather than the {@code rds} module, which would add the whole RDS API to
 * the jar for this one function.
 *
 * <p>Thread-safe when the credentials provider is (the SDK's are).
 */
public final class RdsIamTokens {

    private static final Duration VALIDITY = Duration.ofMinutes(15);
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    private final Region region;
    private final AwsCredentialsProvider credentials;
    private final Clock clock;

    /**
     * @param region the database's Region
     * @param credentials whose identity the token carries (the ECS task role, usually)
     * @param clock when the token is made (tests fix it)
     */
    public RdsIamTokens(Region region, AwsCredentialsProvider credentials, Clock clock) {
        this.region = Objects.requireNonNull(region, "region");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A token for {@code user} at {@code host:port}; a credential: never log it. */
    public String token(String host, int port, String user) {
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.GET)
                .protocol("https")
                .host(host)
                .port(port)
                .encodedPath("/")
                .putRawQueryParameter("Action", "connect")
                .putRawQueryParameter("DBUser", user)
                .build();
        SignedRequest signed = SIGNER.sign(r -> r
                .identity(credentials.resolveCredentials())
                .request(request)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "rds-db")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region.id())
                .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, VALIDITY)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
        String uri = signed.request().getUri().toString();
        return uri.substring(uri.indexOf("://") + 3);
    }
}
