package io.hourglass.protocol.zk;

import io.hourglass.core.cluster.ClusterBackend;
import io.hourglass.core.cluster.ClusterSettings;
import io.hourglass.protocol.tck.CoordinatorContract;
import io.hourglass.testsupport.RequiresService;
import io.hourglass.testsupport.TestService;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator contract against the real ZooKeeper that {@code scripts/lib/services.sh start_zookeeper} runs
 * ({@value #CONNECT_ENV}); each test has its own Curator namespace {@code tck-<random>}.
 */
@RequiresService(TestService.ZOOKEEPER)
class ZkCoordinatorTest extends CoordinatorContract {

    static final String CONNECT_ENV = "HOURGLASS_ZK_CONNECT";
    private static String connect;
    private static CuratorFramework operator;

    @BeforeAll
    static void connect() throws InterruptedException {
        connect = TestService.ZOOKEEPER.address();
        operator = CuratorFrameworkFactory.newClient(connect, 30_000, 5_000, new RetryNTimes(20, 500));
        operator.start();
        if (!operator.blockUntilConnected(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no ZooKeeper at " + connect);
        }
    }

    @AfterAll
    static void disconnect() {
        operator.close();
    }

    @Override
    protected String serviceHostPort() {
        return connect.split(",")[0].strip();
    }

    @Override
    protected void stopService() {
        TestService.ZOOKEEPER.stop();
    }

    @Override
    protected void startService() {
        TestService.ZOOKEEPER.start();
    }

    @Override
    protected ClusterBackend newBackend(String namespace, ClusterSettings settings, String hostPort) {
        return new ZkClusterBackend(hostPort, null, null, namespace, settings);
    }

    @Override
    protected void operatorPut(String namespace, String path, String value) throws Exception {
        CuratorFramework ns = operator.usingNamespace(namespace);
        byte[] data = value.getBytes(StandardCharsets.UTF_8);
        try {
            ns.setData().forPath(path, data);
        } catch (KeeperException.NoNodeException e) {
            ns.create().creatingParentsIfNeeded().forPath(path, data);
        }
    }

    @Override
    protected String operatorGet(String namespace, String path) throws Exception {
        try {
            return new String(operator.usingNamespace(namespace).getData().forPath(path), StandardCharsets.UTF_8);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    @Override
    protected void deleteNamespace(String namespace) throws Exception {
        try {
            operator.delete().deletingChildrenIfNeeded().forPath("/" + namespace);
        } catch (KeeperException.NoNodeException e) {
            // nothing was written
        }
    }
}
