package io.hourglass.core.spi;

/**
 * Creates an app's topic at its target when an operator allows the topic (Kafka: {@code AdminClient.createTopics}).
 * Optional: without one, allowing a topic only records the right to use it.
 */
public interface TopicProvisioner {

    /**
     * Makes sure the topic exists; an existing topic is left exactly as it is (idempotent).
     *
     * @param partitions        partitions of a new topic, or 0 for the target's default
     * @param replicationFactor replicas of a new topic, or 0 for the target's default
     * @throws RuntimeException when the target cannot be reached or refuses (the caller reports it and changes nothing)
     */
    void ensureTopic(String topic, int partitions, short replicationFactor);
}
