package io.hourglass.bootstrap.config;

import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.engine.DelayEngine;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the engine before the web server takes requests and stops it after the web server stopped taking them
 * (the web server's lifecycle phases are higher), and before the store and the producer are destroyed.
 */
final class EngineLifecycle implements SmartLifecycle {

    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final DelayEngine engine;
    private final AppDirectory apps;
    private final BootstrapAppProperties bootstrapApp;
    private volatile boolean running;

    EngineLifecycle(DelayEngine engine, AppDirectory apps, BootstrapAppProperties bootstrapApp) {
        this.engine = engine;
        this.apps = apps;
        this.bootstrapApp = bootstrapApp;
    }

    @Override
    public void start() {
        if (bootstrapApp.enabled()) {
            apps.ensureApp(bootstrapApp.appKey(), bootstrapApp.secret(), java.util.Set.copyOf(bootstrapApp.topics()));
        }
        engine.start();
        running = true;
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
