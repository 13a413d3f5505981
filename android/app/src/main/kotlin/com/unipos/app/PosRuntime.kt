package com.unipos.app

import android.content.Context
import com.unipos.app.hardware.VendorHardware
import com.unipos.app.service.TransactionForeground
import com.unipos.app.txn.MaintenanceReport
import com.unipos.app.txn.OffMainThreadEngine
import com.unipos.app.txn.PaymentEngine
import com.unipos.app.txn.SwitchableEngine
import com.unipos.app.txn.TransactionDispatcher
import com.unipos.core.PosResult
import java.util.concurrent.Future

/**
 * Everything one app process shares: the engine over the Rust core (whose journal is the only
 * registry of request ids) and the single dispatcher that the service, the pay Intent and the
 * cashier screens all go through. Creating it queues the engine's resume (sign-in, pending
 * reversals and advices) on the dispatcher's worker.
 *
 * [hardware] is null in a release build without a vendor adapter: the engine then refuses every
 * transaction with a message saying so.
 */
class PosRuntime(
    context: Context,
    settings: TerminalSettings,
    val hardware: VendorHardware?,
    /** Builds the engine for some settings (a [com.unipos.app.txn.CoreEngine], or a refusing one). */
    private val engineFor: (TerminalSettings) -> PaymentEngine,
) : AutoCloseable {
    @Volatile var settings: TerminalSettings = settings
        private set
    private val engine = SwitchableEngine(engineFor(settings))
    private val checked = OffMainThreadEngine(engine)
    private val appContext = context.applicationContext
    val dispatcher = TransactionDispatcher(
        checked,
        com.unipos.app.ui.StageTexts(appContext.resources),
        // An UNKNOWN outcome: the dispatcher flushes soon; the expedited job covers a process that dies first.
        onUnknown = { com.unipos.app.job.MaintenanceJobService.scheduleSoon(appContext) },
    )

    private val foreground = object : TransactionDispatcher.Listener {
        private val app = context.applicationContext
        override fun onTransactionStarted(scope: String, requestId: String) = TransactionForeground.begin(app)
        override fun onTransactionFinished(scope: String, requestId: String) = TransactionForeground.end()
    }

    init {
        dispatcher.addListener(foreground)
        dispatcher.startup()
    }

    /**
     * Runs [block] with the core on the dispatcher's worker, between transactions: the cashier's
     * desk ([com.unipos.core.PosCore.desk]). The failure that keeps the terminal closed (not
     * provisioned, no vendor hardware) is returned without running [block].
     */
    fun <T> withCore(block: (com.unipos.core.PosCore) -> PosResult<T>): Future<PosResult<T>> = dispatcher.onWorker {
        when (val c = checked.openCore()) {
            is PosResult.Failure -> c
            is PosResult.Success -> block(c.value)
        }
    }

    /** Cancels a running card wait: any thread, no I/O (the core only sets its cancel flag). */
    fun cancelWait() = checked.cancelWait()

    /** The periodic job's work, on the worker. */
    fun maintenance(): Future<PosResult<MaintenanceReport>> = dispatcher.maintenance()

    /**
     * Puts [next] in force on the worker, between transactions: the old core is closed, a core with
     * [next] is opened; if it does not open, a core with the old settings is opened again and the
     * error text is returned (null on success). Blocking: call it off the main thread.
     */
    fun reconfigure(next: TerminalSettings, opens: (PaymentEngine) -> String?): String? = dispatcher.onWorker {
        engine.engine.close()
        val fresh = engineFor(next)
        val problem = opens(fresh)
        if (problem != null) {
            fresh.close()
            engine.swap(engineFor(settings)).close()
            problem
        } else {
            engine.swap(fresh)
            settings = next
            null
        }
    }.get().also { if (it == null) dispatcher.startup() }

    override fun close() {
        dispatcher.removeListener(foreground)
        dispatcher.close()
        engine.close()
    }
}
