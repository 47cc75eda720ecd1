package io.hourglass.protocol.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.DeleteOption;
import io.hourglass.core.cluster.ClusterBackend;
import io.hourglass.core.cluster.ClusterSettings;
import io.hourglass.protocol.tck.CoordinatorContract;
import io.hourglass.testsupport.RequiresService;
import io.hourglass.testsupport.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator contract against the real etcd that {@code scripts/lib/services.sh start_etcd} runs
 * ({@value #ENDPOINTS_ENV}); each test has its own key prefix {@code /tck-<random>}.
 */
@RequiresService(TestService.ETCD)
class EtcdCoordinatorTest extends CoordinatorContract {

    static final String ENDPOINTS_ENV = "HOURGLASS_ETCD_ENDPOINTS"; // TestService.ETCD
    private static String endpoint;
    private static Client operator;

    @BeforeAll
    static void connect() {
        endpoint = TestService.ETCD.address().split(",")[0].strip();
        operator = Client.builder().endpoints(endpoint).build();
    }

    @AfterAll
    static void disconnect() {
        operator.close();
    }

    @Override
    protected String serviceHostPort() {
        URI uri = URI.create(endpoint);
        return uri.getHost() + ":" + uri.getPort();
    }

    @Override
    protected void stopService() {
        TestService.ETCD.stop();
    }

    @Override
    protected void startService() {
        TestService.ETCD.start();
    }

    @Override
    protected ClusterBackend newBackend(String namespace, ClusterSettings settings, String hostPort) {
        return new EtcdClusterBackend(List.of("http://" + hostPort), null, null, "/" + namespace, settings);
    }

    @Override
    protected void operatorPut(String namespace, String path, String value) throws Exception {
        operator.getKVClient().put(key(namespace, path), ByteSequence.from(value, StandardCharsets.UTF_8))
                .get(10, TimeUnit.SECONDS);
    }

    @Override
    protected String operatorGet(String namespace, String path) throws Exception {
        GetResponse r = operator.getKVClient().get(key(namespace, path)).get(10, TimeUnit.SECONDS);
        return r.getKvs().isEmpty() ? null : r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8);
    }

    @Override
    protected void deleteNamespace(String namespace) throws Exception {
        operator.getKVClient().delete(key(namespace, "/"), DeleteOption.builder().isPrefix(true).build())
                .get(30, TimeUnit.SECONDS);
    }

    private static ByteSequence key(String namespace, String path) {
        return ByteSequence.from("/" + namespace + path, StandardCharsets.UTF_8);
    }
}
