package io.hourglass.bootstrap.e2e;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;

import io.hourglass.testsupport.TestService;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Three (then four) servers on MariaDB + the real etcd of scripts/lib/services.sh, with the Kafka broker process. */
class EtcdClusterIT extends ClusterContract {

    @Override
    String type() {
        return "etcd";
    }

    private String endpoints() {
        return TestService.ETCD.address();
    }

    @Override
    List<String> coordinatorArgs() {
        return List.of("--delay.protocol.etcd.endpoints=" + endpoints(), "--delay.protocol.etcd.namespace=/" + namespace);
    }

    @Override
    void writeSlotList(String csv) throws Exception {
        try (Client client = Client.builder().endpoints(endpoints().split(",")).build()) {
            client.getKVClient().put(ByteSequence.from("/" + namespace + "/delay/slot/all-slot", StandardCharsets.UTF_8),
                    ByteSequence.from(csv, StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        }
    }
}
