package io.llmblender.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS from a keystore: a self-signed certificate for 127.0.0.1 made with the JDK's keytool. */
class TlsTest {

    @TempDir
    Path dir;

    @Test
    void tls_keystore_servesHttps() throws Exception {
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "server",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-validity",
                        "2",
                        "-dname",
                        "CN=127.0.0.1",
                        "-ext",
                        "SAN=ip:127.0.0.1",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        keystore.toString(),
                        "-storepass",
                        "changeit",
                        "-keypass",
                        "changeit")
                .redirectErrorStream(true)
                .start();
        String out = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor()).as(out).isZero();

        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            trust.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(ssl).build();

        LlmClient echo = LlmClient.of("echo", p -> Generation.of("over TLS"));
        try (BlenderServer server = BlenderServer.builder()
                .upstream(echo)
                .tls(keystore, "changeit")
                .port(0)
                .start()) {
            assertThat(server.baseUrl()).startsWith("https://127.0.0.1:");
            HttpResponse<String> r = https.send(
                    HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                            .POST(HttpRequest.BodyPublishers.ofString(Fixtures.chat("echo", "hi")))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("over TLS");
        }
    }
}
