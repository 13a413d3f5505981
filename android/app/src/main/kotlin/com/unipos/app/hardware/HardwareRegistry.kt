package com.unipos.app.hardware

import android.content.Context
import android.content.pm.PackageManager
import android.util.Log
import com.unipos.app.R
import com.unipos.core.Devices
import java.util.concurrent.CopyOnWriteArrayList

/**
 * Makes a [VendorHardware] for the terminal the app runs on, or null when this is not its
 * vendor's model. A vendor port (Sunmi, PAX, ...) ships one in its library module and names it in
 * that module's manifest:
 *
 *     <meta-data android:name="com.unipos.hardware.FACTORY" android:value="com.vendor.pos.VendorFactory" />
 *
 * (merged into the app's manifest by the build), or registers it with [HardwareRegistry.register]
 * before the application's onCreate. Called on a background thread; it may bind vendor services.
 */
interface VendorHardwareFactory {
    fun create(context: Context): VendorHardware?
}

/** What the app will transact with: the devices, or why it will not transact. */
sealed class HardwareSelection {
    data class Ready(val hardware: VendorHardware, val devices: Devices) : HardwareSelection()
    /** A user-facing reason (a resource string, already formatted). */
    data class Unavailable(val reason: String) : HardwareSelection()
}

/**
 * Finds the vendor adapter: registered factories first, then the factories the manifest names.
 * The release build takes only a complete adapter (security module and EMV kernel included: the
 * TMK and the PIN never leave the vendor's secure element); the debug build falls back to the
 * simulated devices.
 */
object HardwareRegistry {
    const val META_DATA = "com.unipos.hardware.FACTORY"
    private const val TAG = "unipos/hardware"
    private val registered = CopyOnWriteArrayList<VendorHardwareFactory>()

    fun register(factory: VendorHardwareFactory) { registered += factory }

    fun clear() { registered.clear() }

    /** Blocking (vendor binds, reflection): call it off the main thread. */
    fun select(context: Context, fallback: (Context) -> VendorHardware?, requireVendorModule: Boolean): HardwareSelection {
        val res = context.resources
        val hardware = (registered + manifestFactories(context)).firstNotNullOfOrNull { f ->
            try {
                f.create(context)
            } catch (e: Exception) {
                Log.w(TAG, "hardware factory ${f.javaClass.name} failed", e)
                null
            }
        } ?: fallback(context) ?: return HardwareSelection.Unavailable(res.getString(R.string.hardware_missing))
        val devices = hardware.devices()
        if (requireVendorModule) {
            val missing = listOfNotNull(
                res.getString(R.string.hardware_part_security_module).takeIf { devices.securityModule == null },
                res.getString(R.string.hardware_part_emv_kernel).takeIf { devices.emvKernel == null },
            )
            if (missing.isNotEmpty()) {
                return HardwareSelection.Unavailable(res.getString(R.string.hardware_incomplete, hardware.name, missing.joinToString(res.getString(R.string.list_separator))))
            }
        }
        return HardwareSelection.Ready(hardware, devices)
    }

    private fun manifestFactories(context: Context): List<VendorHardwareFactory> {
        val meta = try {
            context.packageManager.getApplicationInfo(context.packageName, PackageManager.GET_META_DATA).metaData
        } catch (e: PackageManager.NameNotFoundException) {
            null
        } ?: return emptyList()
        val names = meta.getString(META_DATA)?.split(',')?.map { it.trim() }?.filter { it.isNotEmpty() }.orEmpty()
        return names.mapNotNull { name ->
            try {
                Class.forName(name).getDeclaredConstructor().newInstance() as VendorHardwareFactory
            } catch (e: ReflectiveOperationException) {
                Log.w(TAG, "hardware factory $name cannot be created", e)
                null
            } catch (e: ClassCastException) {
                Log.w(TAG, "$name is not a VendorHardwareFactory", e)
                null
            }
        }
    }
}
