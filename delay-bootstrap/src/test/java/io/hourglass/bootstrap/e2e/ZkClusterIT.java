package io.hourglass.bootstrap.e2e;

import io.hourglass.testsupport.TestService;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Three (then four) servers on MariaDB + the real ZooKeeper of scripts/lib/services.sh, with the Kafka broker process. */
class ZkClusterIT extends ClusterContract {

    @Override
    String type() {
        return "zookeeper";
    }

    private String connect() {
        return TestService.ZOOKEEPER.address();
    }

    @Override
    List<String> coordinatorArgs() {
        return List.of("--delay.protocol.zookeeper.endpoints=" + connect(), "--delay.protocol.zookeeper.namespace=" + namespace);
    }

    @Override
    void writeSlotList(String csv) throws Exception {
        try (CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(connect()).namespace(namespace)
                .retryPolicy(new ExponentialBackoffRetry(200, 5)).build()) {
            zk.start();
            zk.blockUntilConnected(10, TimeUnit.SECONDS);
            zk.setData().forPath("/delay/slot/all-slot", csv.getBytes(StandardCharsets.UTF_8));
        }
    }
}
