package io.credsync.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What a {@link FaultProxy} does to one request aimed at by {@link FaultProxy#inject}: each is a
 * way an AWS call can go wrong between the SDK and the service, in particular while the service
 * (an emulator here) restarts. Immutable, except {@link Hold}, which is thread-safe.
 */
public sealed interface ProxyFault permits ProxyFault.DropRequest, ProxyFault.DropAnswer, ProxyFault.TruncateAnswer,
        ProxyFault.Answer, ProxyFault.Hold {

    /**
     * Reads the request and resets the connection without passing it on: the service never saw
     * it, the client sees the connection reset mid-call (as when the service's process dies).
     */
    static ProxyFault dropRequest() {
        return new DropRequest();
    }

    /**
     * Passes the request on, lets the service answer, and resets the connection before any of the
     * answer reaches the client: the service acted (a write happened), the client cannot know.
     */
    static ProxyFault dropAnswer() {
        return new DropAnswer();
    }

    /**
     * Passes the request on and relays the head of the service's answer and half its body, then
     * closes the connection: the client sees the answer end early (EOF mid-response).
     */
    static ProxyFault truncateAnswer() {
        return new TruncateAnswer();
    }

    /** Answers with an AWS JSON-protocol error: {@code {"__type": code}} and {@code x-amzn-ErrorType}. */
    static ProxyFault awsError(int status, String code) {
        return new Answer(status, "application/x-amz-json-1.1",
                "{\"__type\":\"" + code + "\",\"message\":\"injected by the test's fault proxy\"}", code);
    }

    /**
     * Answers with a body that is not AWS's, such as an emulator's web framework, a load balancer
     * or a proxy gives while the service starts or stops (an HTML error page, plain text).
     */
    static ProxyFault foreignAnswer(int status, String contentType, String body) {
        return new Answer(status, contentType, body, null);
    }

    /**
     * Holds the request until {@link Hold#release()}, then passes it on, to whatever listens on the
     * service's port by then (a restarted emulator, or nothing: the client then sees a reset).
     */
    static Hold hold() {
        return new Hold(null);
    }

    /**
     * Holds the request until {@link Hold#release()}, then treats it as {@code then} says: what the
     * service would have answered after what the test did meanwhile (a fault an emulator does not
     * reproduce, for example).
     */
    static Hold holdThen(ProxyFault then) {
        if (then instanceof Hold) {
            throw new IllegalArgumentException("a hold cannot be followed by another");
        }
        return new Hold(Objects.requireNonNull(then, "then"));
    }

    /** See {@link #dropRequest()}. */
    record DropRequest() implements ProxyFault {
    }

    /** See {@link #dropAnswer()}. */
    record DropAnswer() implements ProxyFault {
    }

    /** See {@link #truncateAnswer()}. */
    record TruncateAnswer() implements ProxyFault {
    }

    /**
     * A canned answer (see {@link #awsError} and {@link #foreignAnswer}).
     *
     * @param status the HTTP status
     * @param contentType the Content-Type header
     * @param body the body, UTF-8
     * @param awsErrorType the {@code x-amzn-ErrorType} header, or null for none
     */
    record Answer(int status, String contentType, String body, String awsErrorType) implements ProxyFault {

        public Answer {
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(body, "body");
        }

        /** The whole HTTP/1.1 response, ending the connection. */
        byte[] bytes() {
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            String head = "HTTP/1.1 " + status + " Injected\r\n"
                    + "Content-Type: " + contentType + "\r\n"
                    + (awsErrorType != null ? "x-amzn-ErrorType: " + awsErrorType + "\r\n" : "")
                    + "Content-Length: " + content.length + "\r\n"
                    + "Connection: close\r\n\r\n";
            byte[] headBytes = head.getBytes(StandardCharsets.ISO_8859_1);
            byte[] all = new byte[headBytes.length + content.length];
            System.arraycopy(headBytes, 0, all, 0, headBytes.length);
            System.arraycopy(content, 0, all, headBytes.length, content.length);
            return all;
        }
    }

    /** See {@link #hold()}. Thread-safe. */
    final class Hold implements ProxyFault {

        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private final ProxyFault then;

        private Hold(ProxyFault then) {
            this.then = then;
        }

        /** What happens to the request once released: another fault, or null to pass it on. */
        ProxyFault then() {
            return then;
        }

        /**
         * Waits until a request is held.
         *
         * @throws AssertionError if none is within {@code timeout}
         */
        public void awaitHeld(Duration timeout) throws InterruptedException {
            if (!held.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("no request was held within " + timeout);
            }
        }

        /** Lets the held request (and any later one this hold catches) go on. */
        public void release() {
            released.countDown();
        }

        /** Called by the proxy with the request in hand: waits, bounded, for {@link #release()}. */
        void holdUntilReleased(Duration atMost) throws InterruptedException {
            held.countDown();
            if (!released.await(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("fault proxy: a held request was never released; passing it on after " + atMost);
            }
        }
    }
}
