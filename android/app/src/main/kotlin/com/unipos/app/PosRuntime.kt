package com.unipos.app

import com.unipos.app.hardware.VendorHardware
import com.unipos.app.txn.CoreEngine
import com.unipos.app.txn.RegistryStore
import com.unipos.app.txn.TransactionDispatcher
import com.unipos.app.txn.TransactionRegistry

/**
 * Everything one app process shares: the engine over the Rust core, the registry and the single
 * dispatcher that the service, the pay Intent and the cashier screens all go through. Creating it
 * starts the engine's startup on the dispatcher's worker.
 */
class PosRuntime(
    val settings: TerminalSettings,
    val hardware: VendorHardware,
    dbPath: String,
    store: RegistryStore,
) : AutoCloseable {
    private val engine = CoreEngine(settings.toPosConfig(), dbPath, hardware)
    val registry = TransactionRegistry(store)
    val dispatcher = TransactionDispatcher(engine, registry)

    init {
        dispatcher.startup()
    }

    override fun close() {
        dispatcher.close()
        engine.close()
    }
}
