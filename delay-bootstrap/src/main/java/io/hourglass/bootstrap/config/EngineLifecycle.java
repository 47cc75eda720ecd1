package io.hourglass.bootstrap.config;

import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.engine.DelayEngine;
import io.hourglass.core.error.AuthenticationException;
import org.springframework.context.SmartLifecycle;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Starts the engine before the web server takes requests and stops it after the web server stopped taking them
 * (the web server's lifecycle phases are higher), and before the store and the producer are destroyed.
 *
 * <p>Before that, the bootstrap app ({@code delay.bootstrap-app.*}): created when the store has no app of that key,
 * and never touched when it has one (an operator may have disabled it, rotated its secret or revoked a topic
 * through the admin API; a restart undoes none of it). And a server that accepts app credentials beyond this host
 * ({@link ServerExposure}) refuses to start while an app in the store still accepts the published demo secret, even
 * with the bootstrap app turned off: turning it off does not remove it from the store.
 */
final class EngineLifecycle implements SmartLifecycle {

    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final DelayEngine engine;
    private final AppDirectory apps;
    private final BootstrapAppProperties bootstrapApp;
    private final ServerExposure exposure;
    private volatile boolean running;

    EngineLifecycle(DelayEngine engine, AppDirectory apps, BootstrapAppProperties bootstrapApp,
                    ServerExposure exposure) {
        this.engine = engine;
        this.apps = apps;
        this.bootstrapApp = bootstrapApp;
        this.exposure = exposure;
    }

    @Override
    public void start() {
        if (bootstrapApp.enabled() && apps.find(bootstrapApp.appKey()).isEmpty()) {
            // only when absent: ensureApp would replace a rotated secret and re-allow revoked topics
            apps.ensureApp(bootstrapApp.appKey(), bootstrapApp.secret(), Set.copyOf(bootstrapApp.topics()));
        }
        if (exposure.exposed()) {
            refuseDemoSecretInStore();
        }
        engine.start();
        running = true;
    }

    private void refuseDemoSecretInStore() {
        for (String key : new LinkedHashSet<>(List.of(bootstrapApp.appKey(), "demo"))) {
            if (acceptsDemoSecret(key)) {
                throw new UnsafeConfigurationException("The app '" + key + "' in the store accepts the published"
                        + " demo secret and this server accepts app credentials beyond this host (" + exposure
                        + "); delay.bootstrap-app.enabled=false does not remove an app an earlier start created",
                        "Start once with server.address=127.0.0.1 and rotate its secret (POST /admin/api/v1/apps/"
                        + key + "/rotate-secret), then expose the server");
            }
        }
    }

    /** Whether the app exists and its secret (current, or previous within its grace) is the demo secret. */
    private boolean acceptsDemoSecret(String appKey) {
        try {
            apps.authenticate(appKey, ServerExposure.DEMO_SECRET); // a disabled app is authenticated too
            return true;
        } catch (AuthenticationException e) {
            return false;
        }
    }

    @Override
    public void stop() {
        running = false;
        engine.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
