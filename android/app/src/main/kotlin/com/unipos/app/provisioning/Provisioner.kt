package com.unipos.app.provisioning

import android.content.Context
import android.content.RestrictionsManager
import android.content.res.Resources
import android.os.Bundle
import android.util.Log
import com.unipos.app.R
import org.json.JSONException
import org.json.JSONObject

/** Where the settings in force came from. */
enum class Source { MANAGED, LOCAL, DEFAULTS }

/** The outcome of applying new settings. Only [Applied] changed anything. */
sealed class ApplyResult {
    data class Applied(val profile: AcquirerProfile) : ApplyResult()
    object Unchanged : ApplyResult()
    /** Refused before anything changed; [message] names every bad field. */
    data class Rejected(val errors: List<FieldError>, val message: String) : ApplyResult()
    /** Valid, but the core would not open with them: the old settings stay in force. */
    data class Failed(val message: String) : ApplyResult()
}

/**
 * The last settings applied (from any source), so a later invalid managed configuration, or a
 * restart while it is still invalid, keeps them. One preference value, written with commit():
 * replaced whole or not at all. Call off the main thread.
 */
class ProvisioningStore(context: Context) {
    private val prefs = context.getSharedPreferences("unipos.provisioning", Context.MODE_PRIVATE)

    fun applied(): Pair<Source, Provisioning>? {
        val text = prefs.getString(KEY, null) ?: return null
        return try {
            val o = JSONObject(text)
            Source.valueOf(o.getString("source")) to Provisioning.fromJson(o.getJSONObject("values"))
        } catch (e: JSONException) {
            null
        } catch (e: IllegalArgumentException) {
            null
        }
    }

    fun save(source: Source, input: Provisioning): Boolean {
        val o = JSONObject().put("source", source.name).put("values", input.toJson())
        return prefs.edit().putString(KEY, o.toString()).commit()
    }

    private companion object {
        const val KEY = "applied"
    }
}

/** Android managed configuration (res/xml/app_restrictions.xml) as provisioning input. */
object ManagedConfig {
    /** The restrictions set by the device or terminal management system; null when none are. */
    fun read(context: Context): Provisioning? {
        val rm = context.getSystemService(Context.RESTRICTIONS_SERVICE) as? RestrictionsManager ?: return null
        val bundle: Bundle = rm.applicationRestrictions ?: return null
        val input = Provisioning.fromBundle(bundle)
        return input.takeIf { it.values.isNotEmpty() }
    }
}

/**
 * Decides the settings in force and applies changes all or nothing: validate everything, then
 * [apply]'s `reopen` (the core with the new settings), then persist; any failure leaves the old
 * settings in force. Used by managed configuration now and by the supervisor's setup screen later.
 */
class Provisioner(private val store: ProvisioningStore, private val res: Resources) {
    /** The last refusal or failure, for the screens (null when the last change applied). */
    @Volatile var lastProblem: String? = null
        private set

    /** At start: a valid managed configuration, else the last applied settings, else [defaults]. */
    fun resolve(managed: Provisioning?, defaults: Provisioning?): Pair<Source, AcquirerProfile>? {
        if (managed != null) {
            when (val v = managed.validate()) {
                is Validation.Valid -> {
                    if (store.applied()?.second?.values != managed.values) store.save(Source.MANAGED, managed)
                    return Source.MANAGED to v.profile
                }
                is Validation.Invalid -> reject(v.errors)
            }
        }
        store.applied()?.let { (source, input) ->
            (input.validate() as? Validation.Valid)?.let { return source to it.profile }
        }
        return defaults?.let { d -> (d.validate() as? Validation.Valid)?.let { Source.DEFAULTS to it.profile } }
    }

    /**
     * Applies [input] from [source]: nothing happens unless every field is valid and [reopen]
     * (which returns an error text, or null once the core runs with the new profile) succeeds.
     */
    fun apply(input: Provisioning, source: Source, current: AcquirerProfile?, reopen: (AcquirerProfile) -> String?): ApplyResult {
        val profile = when (val v = input.validate()) {
            is Validation.Invalid -> return reject(v.errors)
            is Validation.Valid -> v.profile
        }
        if (profile == current) {
            store.save(source, input)
            lastProblem = null
            return ApplyResult.Unchanged
        }
        reopen(profile)?.let { reason ->
            val message = res.getString(R.string.provisioning_reopen_failed, reason)
            Log.w(TAG, message)
            lastProblem = message
            return ApplyResult.Failed(message)
        }
        store.save(source, input)
        lastProblem = null
        Log.i(TAG, "settings applied from $source: terminal ${profile.terminalId}")
        return ApplyResult.Applied(profile)
    }

    private fun reject(errors: List<FieldError>): ApplyResult.Rejected {
        val message = res.getString(R.string.provisioning_rejected, errors.joinToString("; ") { it.message(res) })
        Log.w(TAG, message)
        lastProblem = message
        return ApplyResult.Rejected(errors, message)
    }

    private companion object {
        const val TAG = "unipos/provisioning"
    }
}
