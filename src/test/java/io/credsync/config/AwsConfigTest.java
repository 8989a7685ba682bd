package io.credsync.config;

import static io.credsync.config.ConfigFixtures.environment;
import static io.credsync.config.ConfigFixtures.load;
import static io.credsync.config.ConfigFixtures.minimalEnvironment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class AwsConfigTest {

    @Test
    void theRegionComesFromAwsRegionWhenTheConfigurationHasNone() throws Exception {
        assertThat(load(minimalEnvironment()).aws().region()).isEqualTo(Region.EU_WEST_1);
    }

    @Test
    void credsyncsOwnRegionVariableWinsOverAwsRegion() throws Exception {
        assertThat(load(environment("CREDSYNC_AWS_REGION", "ap-southeast-2")).aws().region())
                .isEqualTo(Region.AP_SOUTHEAST_2);
    }

    @Test
    void aBadAwsRegionIsReportedAsTheRegionKeyNamingTheVariable() {
        assertThatThrownBy(() -> load(environment("AWS_REGION", "Ireland")))
                .hasMessage("aws.region: must be a Region name like eu-west-1, got Ireland"
                        + " (from environment variable AWS_REGION)");
    }

    @Test
    void theSdksServiceEndpointVariablesAreHonoured() throws Exception {
        AwsConfig aws = load(environment("AWS_ENDPOINT_URL_KMS", "http://localhost:8080",
                "AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://localhost:5000")).aws();

        assertThat(aws.kmsEndpoint()).contains(URI.create("http://localhost:8080"));
        assertThat(aws.secretsManagerEndpoint()).contains(URI.create("http://localhost:5000"));
    }

    @Test
    void theGeneralEndpointVariableServesEveryServiceWithoutItsOwn() throws Exception {
        AwsConfig aws = load(environment("AWS_ENDPOINT_URL", "http://localhost:4566",
                "AWS_ENDPOINT_URL_KMS", "http://localhost:8080")).aws();

        assertThat(aws.kmsEndpoint()).contains(URI.create("http://localhost:8080"));
        assertThat(aws.secretsManagerEndpoint()).contains(URI.create("http://localhost:4566"));
    }

    @Test
    void credsyncsOwnEndpointVariablesWinOverTheSdks() throws Exception {
        AwsConfig aws = load(environment("AWS_ENDPOINT_URL_KMS", "http://sdk:1",
                "CREDSYNC_AWS_KMS_ENDPOINT", "https://vpce-1.kms.eu-west-1.vpce.amazonaws.com")).aws();

        assertThat(aws.kmsEndpoint()).contains(URI.create("https://vpce-1.kms.eu-west-1.vpce.amazonaws.com"));
    }

    @Test
    void theSdksSwitchToIgnoreEndpointVariablesIsHonoured() throws Exception {
        Map<String, String> env = environment("AWS_ENDPOINT_URL", "http://localhost:4566",
                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", "CREDSYNC_AWS_KMS_ENDPOINT", "http://kms:1");
        AwsConfig aws = load(env).aws();

        assertThat(aws.secretsManagerEndpoint()).isEmpty();
        assertThat(aws.kmsEndpoint()).as("credsync's own keys are still read").contains(URI.create("http://kms:1"));
    }

    @Test
    void aBadEndpointFromAnSdkVariableNamesTheKeyAndTheVariable() {
        assertThatThrownBy(() -> load(environment("AWS_ENDPOINT_URL", "not a url")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "aws.kms_endpoint: must be an http or https URL like http://localhost:4566, got not a url"
                                + " (from environment variable AWS_ENDPOINT_URL)",
                        "aws.secretsmanager_endpoint: must be an http or https URL like http://localhost:4566,"
                                + " got not a url (from environment variable AWS_ENDPOINT_URL)"));
    }
}
