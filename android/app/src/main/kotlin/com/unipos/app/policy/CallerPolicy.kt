package com.unipos.app.policy

import com.unipos.core.ffi.Capability
import com.unipos.core.ffi.capabilityFromName
import com.unipos.core.ffi.defaultCapabilities
import java.util.concurrent.ConcurrentHashMap

/** Who is calling, as the platform reported it for one binder call or one pay Intent. */
data class CallerIdentity(
    val uid: Int,
    /** Every package installed under [uid] (more than one with a shared user id). */
    val packages: List<String>,
    /** SHA-256 digests of the current signing certificates of each package (all signers). */
    val signerDigests: Map<String, Set<String>>,
    /** Whether the caller holds [com.unipos.sdk.UniPos.PERMISSION_PAYMENT]; only enforced on API 31+. */
    val holdsPermission: Boolean,
)

/**
 * A caller the service admitted: its [scope] (the package name; [CallerPolicy.OWN_SCOPE] for the
 * terminal's own screens) and what the acquirer granted it. The core enforces both: request ids,
 * results and originals are the scope's own, and a request needing a capability it lacks is
 * refused with 1017 CAPABILITY_NOT_GRANTED.
 */
data class AppCaller(val scope: String, val capabilities: Set<Capability>) {
    val isCashier: Boolean get() = scope == CallerPolicy.OWN_SCOPE

    companion object {
        /** The terminal's own cashier screens: every capability. */
        val CASHIER = AppCaller(CallerPolicy.OWN_SCOPE, Capability.values().toSet())
    }
}

sealed class CallerVerdict {
    /** The caller may use the service within its scope and capabilities. */
    data class Allowed(val caller: AppCaller) : CallerVerdict() {
        val scope: String get() = caller.scope
    }
    data class Rejected(val reason: String) : CallerVerdict()
}

/**
 * The acquirer's allow-list: package name -> SHA-256 digests of the signing certificates that
 * package may be signed with, and the capabilities it is granted. One entry per line:
 *
 *     package=DIGEST[,DIGEST...][;capability[,capability...]]
 *
 * Digests are compared as upper-case hex without separators, so `apksigner`'s `ab12...` and
 * keytool's `AB:12:...` forms both work. Capabilities are the core's names (`sale`, `qr`,
 * `preauth`, `void`, `refund`, `settlement`, `signin`, `query`, `any_original`); an entry without
 * `;...` gets the default (sale and QR; queries of its own requests need no capability). `#`
 * starts a comment. Lines of the earlier format (no capabilities) keep their meaning.
 */
class AllowList(entries: Map<String, Entry>) {
    data class Entry(val digests: Set<String>, val capabilities: Set<Capability>)

    private val entries: Map<String, Entry> = entries.mapValues { (_, e) ->
        e.copy(digests = e.digests.map(::normaliseDigest).filter { it.length == 64 }.toSet())
    }

    fun certsFor(packageName: String): Set<String> = entries[packageName]?.digests.orEmpty()

    fun capabilitiesOf(packageName: String): Set<Capability> = entries[packageName]?.capabilities.orEmpty()

    val size: Int get() = entries.size

    companion object {
        fun normaliseDigest(d: String): String = d.filter { it.isLetterOrDigit() }.uppercase()

        /** The capabilities of a `;`-list; null if a name is unknown (provisioning refuses the line). */
        fun parseCapabilities(list: String): Set<Capability>? =
            list.split(',').map { it.trim() }.filter { it.isNotEmpty() }.map { capabilityFromName(it) ?: return null }.toSet()

        /** Parses the allow-list text (the provisioning format above). Lines with unknown capabilities are dropped. */
        fun parse(text: String): AllowList = AllowList(
            text.lineSequence()
                .map { it.substringBefore('#').trim() }
                .filter { it.contains('=') }
                .mapNotNull { line ->
                    val pkg = line.substringBefore('=').trim()
                    val rest = line.substringAfter('=')
                    val digests = rest.substringBefore(';').split(',').toSet()
                    val caps = if (rest.contains(';')) parseCapabilities(rest.substringAfter(';')) ?: return@mapNotNull null
                        else defaultCapabilities().toSet()
                    pkg to Entry(digests, caps)
                }
                .toMap(),
        )
    }
}

/**
 * Decides whether a caller may use the payment service. Rules (docs/android-app.md, "Callers"):
 * our own uid is always allowed (the cashier screens); otherwise EVERY package of the uid must be on
 * the allow-list and signed only by allow-listed certificates (a shared uid cannot smuggle in an
 * unlisted app); on Android 12+ the caller must also hold the payment permission, which the platform
 * grants through `knownCerts` - on Android 7-11 it cannot be held by other-signed apps, so there the
 * allow-list is the gate.
 */
class CallerPolicy(
    private val allowList: AllowList,
    private val ownUid: Int,
    private val sdkInt: Int,
) {
    fun verify(caller: CallerIdentity): CallerVerdict {
        if (caller.uid == ownUid) return CallerVerdict.Allowed(AppCaller.CASHIER)
        if (caller.packages.isEmpty()) return CallerVerdict.Rejected("uid ${caller.uid} has no package")
        if (sdkInt >= PERMISSION_ENFORCED_FROM_SDK && !caller.holdsPermission) {
            return CallerVerdict.Rejected("permission not granted to uid ${caller.uid}")
        }
        for (pkg in caller.packages) {
            val allowed = allowList.certsFor(pkg)
            if (allowed.isEmpty()) return CallerVerdict.Rejected("$pkg is not on the allow-list")
            val signers = caller.signerDigests[pkg].orEmpty().map(AllowList::normaliseDigest)
            if (signers.isEmpty() || !allowed.containsAll(signers)) {
                return CallerVerdict.Rejected("$pkg is not signed with an allow-listed certificate")
            }
        }
        // A shared uid is one scope (its lowest package name), granted what every package of it is.
        val capabilities = caller.packages.map(allowList::capabilitiesOf).reduce { a, b -> a intersect b }
        return CallerVerdict.Allowed(AppCaller(caller.packages.min(), capabilities))
    }

    companion object {
        /** Scope of the terminal's own cashier screens. */
        const val OWN_SCOPE = "pos"
        /** Android 12: knownCerts grants the permission, so it can be required of every caller. */
        const val PERMISSION_ENFORCED_FROM_SDK = 31
    }
}

/**
 * Verdicts per uid, because resolving packages and certificates costs a PackageManager round trip
 * per call. Must be cleared when a package is added, replaced or removed (a uid can be reused).
 */
class CallerCache {
    private val verdicts = ConcurrentHashMap<Int, CallerVerdict>()

    fun get(uid: Int, compute: () -> CallerVerdict): CallerVerdict = verdicts.getOrPut(uid, compute)

    fun clear() = verdicts.clear()
}
