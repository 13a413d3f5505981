package com.unipos.app

import android.app.Application
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.IntentFilter
import android.util.Log
import com.unipos.app.hardware.HardwareRegistry
import com.unipos.app.hardware.HardwareSelection
import com.unipos.app.job.MaintenanceJobService
import com.unipos.app.keys.KeystoreKeyWrapper
import com.unipos.app.provisioning.ApplyResult
import com.unipos.app.provisioning.Field
import com.unipos.app.provisioning.ManagedConfig
import com.unipos.app.provisioning.Provisioner
import com.unipos.app.provisioning.Provisioning
import com.unipos.app.provisioning.ProvisioningStore
import com.unipos.app.provisioning.Source
import com.unipos.app.txn.CoreEngine
import com.unipos.app.txn.MainThreadPolicy
import com.unipos.app.txn.PaymentEngine
import com.unipos.app.txn.UnavailableEngine
import com.unipos.app.variant.BuildVariant
import com.unipos.core.PosCore
import com.unipos.core.PosResult
import com.unipos.core.ffi.KeyWrapper
import com.unipos.core.ffi.LogLevel
import com.unipos.sdk.ErrorCodes
import java.io.File
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.Future

/**
 * Owns the process-wide [PosRuntime]. Nothing here touches disk or network on the main thread:
 * onCreate only installs policies, registers the managed-configuration receiver and schedules the
 * maintenance job; the runtime is built on a background thread ([runtime] waits for it).
 *
 * Subclass hooks choose the devices, the settings source and the key wrapper (host tests).
 */
open class UniPosApplication : Application() {
    protected val variant: BuildVariant get() = BuildVariant.current
    private val background: ExecutorService = Executors.newSingleThreadExecutor { r ->
        Thread(r, "unipos-boot").apply { isDaemon = true }
    }
    @Volatile private var booting: Future<PosRuntime>? = null
    private val provisioner by lazy { Provisioner(ProvisioningStore(this), resources) }
    private var restrictionsReceiver: BroadcastReceiver? = null

    /** The runtime; the first access waits for the background boot (preferences, the core's library). */
    val runtime: PosRuntime
        get() = (booting ?: synchronized(this) { booting ?: boot() }).get()

    /** The receipts the core printed last, for the cashier's receipt preview (memory only). */
    val receipts = com.unipos.app.cashier.ReceiptTap()

    /** The cashier screens' access to the engine (built once the runtime is). */
    val desk: com.unipos.app.cashier.CashierDesk by lazy { com.unipos.app.cashier.CashierDesk(this) }

    /** The last refused or failed provisioning, as a message naming the fields (null: none). */
    val provisioningProblem: String? get() = provisioner.lastProblem

    override fun onCreate() {
        variant.onApplicationCreate(this)
        MainThreadPolicy.onViolation = variant::onMainThreadViolation
        super.onCreate()
        synchronized(this) { if (booting == null) boot() }
        restrictionsReceiver = object : BroadcastReceiver() {
            override fun onReceive(context: Context, intent: Intent) {
                // On the main thread: read and apply on the boot thread.
                background.execute { ManagedConfig.read(this@UniPosApplication)?.let { applyProvisioning(it, Source.MANAGED) } }
            }
        }
        registerReceiver(restrictionsReceiver, IntentFilter(Intent.ACTION_APPLICATION_RESTRICTIONS_CHANGED))
        MaintenanceJobService.schedule(this)
    }

    private fun boot(): Future<PosRuntime> = background.submit<PosRuntime> {
        // The core's log records are already redacted (masked PAN only). Loading the library is disk work.
        PosCore.setLogger(LogLevel.INFO) { r -> Log.i("unipos/${r.target}", r.message) }
        migrateOldSettings()
        val hardware = selectHardware()
        val resolved = provisioner.resolve(managedProvisioning(), defaultProvisioning())
        val settings = TerminalSettings(resolved?.second, softwareTmkHex())
        val db = databasePath()
        PosRuntime(this, settings, (hardware as? HardwareSelection.Ready)?.hardware) { s ->
            engineFor(s, hardware, db)
        }
    }.also { booting = it }

    private fun engineFor(settings: TerminalSettings, hardware: HardwareSelection, db: String): PaymentEngine {
        val config = settings.toPosConfig()
            ?: return UnavailableEngine(ErrorCodes.CONFIGURATION_ERROR, getString(R.string.not_provisioned))
        return when (hardware) {
            is HardwareSelection.Unavailable -> UnavailableEngine(ErrorCodes.CONFIGURATION_ERROR, hardware.reason)
            is HardwareSelection.Ready -> {
                if (variant.requiresVendorSecurityModule && config.softwareTmkHex != null) {
                    UnavailableEngine(ErrorCodes.CONFIGURATION_ERROR, getString(R.string.software_tmk_refused))
                } else {
                    CoreEngine(config, db, hardware.hardware, keyWrapper(), receipts)
                }
            }
        }
    }

    /**
     * New settings (managed configuration now; the supervisor's setup screen later, with
     * [Source.LOCAL]): all or nothing, the old settings stay in force on any problem. Blocking:
     * call it off the main thread.
     */
    fun applyProvisioning(input: Provisioning, source: Source): ApplyResult {
        val rt = runtime
        return provisioner.apply(input, source, rt.settings.profile) { profile ->
            rt.reconfigure(TerminalSettings(profile, rt.settings.softwareTmkHex)) { engine ->
                when (engine) {
                    is CoreEngine -> (engine.open() as? PosResult.Failure)?.message
                    else -> null
                }
            }
        }
    }

    // ---- hooks (host tests override them) --------------------------------------------------------

    /** The vendor adapter (release: a complete one only), or the simulated devices (debug). */
    protected open fun selectHardware(): HardwareSelection =
        HardwareRegistry.select(this, variant::fallbackHardware, variant.requiresVendorSecurityModule)

    protected open fun managedProvisioning(): Provisioning? = ManagedConfig.read(this)

    protected open fun defaultProvisioning(): Provisioning? = variant.defaultProvisioning()

    protected open fun softwareTmkHex(): String? = variant.softwareTmkHex

    /** The AndroidKeyStore wrapper of the data key. */
    protected open fun keyWrapper(): KeyWrapper = KeystoreKeyWrapper()

    /** Beside its key files, in the no-backup folder: a restored backup must not resurrect a journal. */
    protected open fun databasePath(): String = File(noBackupFilesDir, "journal.db").path

    /** Closes the core (tests; a real process just dies, which the core's journal is built for). */
    fun closeRuntime() = synchronized(this) {
        booting?.let { f -> runCatching { f.get() }.getOrNull()?.close() }
        booting = null
    }

    /**
     * Earlier versions kept their settings, the TMK in clear among them, in "unipos.settings":
     * carry the acquirer values over as local settings once (if nothing was applied since) and
     * delete the file, so the TMK is no longer on disk.
     */
    private fun migrateOldSettings() {
        val old = getSharedPreferences(OLD_PREFS, Context.MODE_PRIVATE)
        if (old.all.isEmpty()) return
        val store = ProvisioningStore(this)
        if (store.applied() == null) {
            val values = linkedMapOf<Field, Any>()
            old.getString("posp", null)?.let { values[Field.POSP_ADDRESSES] = it }
            old.getString("terminalId", null)?.let { values[Field.TERMINAL_ID] = it }
            old.getString("merchantId", null)?.let { values[Field.MERCHANT_ID] = it }
            old.getString("merchantName", null)?.let { values[Field.MERCHANT_NAME] = it }
            old.getString("allowList", null)?.takeIf { it.isNotBlank() }?.let { values[Field.ALLOWED_CALLERS] = it }
            if (old.contains("responseTimeoutMs")) values[Field.RESPONSE_TIMEOUT_MS] = old.getLong("responseTimeoutMs", 60_000).toString()
            val input = Provisioning(values)
            if (input.validate() is com.unipos.app.provisioning.Validation.Valid) store.save(Source.LOCAL, input)
        }
        old.edit().clear().commit()
        deleteSharedPreferences(OLD_PREFS)
        Log.i(TAG, "old settings file removed (it held the TMK in clear)")
    }

    private companion object {
        const val TAG = "unipos/app"
        const val OLD_PREFS = "unipos.settings"
    }
}
