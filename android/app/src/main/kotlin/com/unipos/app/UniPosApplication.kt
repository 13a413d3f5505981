package com.unipos.app

import android.app.Application
import android.util.Log
import com.unipos.app.hardware.SimulatedHardware
import com.unipos.app.hardware.VendorHardware
import com.unipos.core.PosCore
import com.unipos.core.ffi.LogLevel
import java.io.File

/**
 * Owns the process-wide [PosRuntime]. Subclass hooks choose the devices and settings: the shipped
 * app uses the vendor adapter of the terminal it runs on (the simulated devices on the emulator);
 * host tests substitute the simulator's addresses.
 */
open class UniPosApplication : Application() {
    @Volatile private var current: PosRuntime? = null

    val runtime: PosRuntime
        get() = current ?: synchronized(this) {
            current ?: PosRuntime(terminalSettings(), vendorHardware(), databasePath(), PrefsRegistryStore(this))
                .also { current = it }
        }

    override fun onCreate() {
        super.onCreate()
        // The core's log records are already redacted (masked PAN only).
        PosCore.setLogger(LogLevel.INFO) { r -> Log.i("unipos/${r.target}", r.message) }
    }

    /** Vendor adapter selection. Real terminals: return the vendor's adapter here (by Build.MANUFACTURER). */
    protected open fun vendorHardware(): VendorHardware = SimulatedHardware()

    protected open fun terminalSettings(): TerminalSettings = TerminalSettings.load(this)

    protected open fun databasePath(): String = File(noBackupFilesDirCompat(), "journal.db").path

    /** Closes the core (tests; a real process just dies, which the core's journal is built for). */
    fun closeRuntime() = synchronized(this) {
        current?.close()
        current = null
    }

    private fun noBackupFilesDirCompat(): File = noBackupFilesDir   // API 21+: journals must not be backed up
}
