# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import logging
import re

from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from ..lib.errors import error_message

_logger = logging.getLogger(__name__)

APPLICATION_FIELDS = (
    "company_name",
    "partner_type",
    "contact_name",
    "email",
    "phone",
    "trade_licence",
    "bd_bin",
    "bd_etin",
    "vat_registration",
    "street",
    "street2",
    "zip",
)
REQUIRED_FIELDS = {
    "company_name": "Company name",
    "partner_type": "Partner type",
    "contact_name": "Contact person",
    "email": "E-mail",
    "phone": "Phone",
    "trade_licence": "Trade licence number",
    "bd_bin": "BIN",
    "district_id": "District",
}
DOCUMENT_INPUTS = {
    "doc_trade_licence": "trade_licence",
    "doc_bin_certificate": "bin_certificate",
    "doc_etin_certificate": "etin_certificate",
    "doc_other": "other",
}
# Delivery locations: any number of indexed blocks ``delivery_<n>_<key>`` (n = 0, 1, ...; the
# page renders block 0, the "add another location" button clones it with the next index).
DELIVERY_KEYS = {
    "name": "name",
    "street": "street",
    "district_id": "bd_district_id",
    "upazila_id": "bd_upazila_id",
    "zip": "zip",
    "contact": "comment",
    "phone": "phone",
    "opening_hours": "b2b_opening_hours",
    "window": "b2b_delivery_window",
    "latitude": "b2b_latitude",
    "longitude": "b2b_longitude",
}
MAX_DELIVERY_LOCATIONS = 20
DELIVERY_INPUT_RE = re.compile(r"^delivery_(\d{1,3})_([a-z_]+)$")
# The honeypot: a field hidden from humans by CSS; bots fill every input they find.
HONEYPOT = "company_website"


class B2bRegistration(http.Controller):
    def _render_form(self, values=None, errors=None, status=200):
        env = request.env
        # sudo: public visitors read the static geography and tier-free lists only.
        qcontext = {
            "values": values or {},
            "errors": errors or [],
            "districts": env["l10n_bd_smart.district"].sudo().search([]),
            "upazilas": env["l10n_bd_smart.upazila"].sudo().search([]),
            "partner_types": env["res.partner"]._fields["b2b_partner_type"].selection,
            "honeypot": HONEYPOT,
            "delivery_indexes": self._delivery_indexes(values or {}) or [0],
            "max_delivery_locations": MAX_DELIVERY_LOCATIONS,
        }
        return request.render("smart_dairy_b2b.b2b_register_page", qcontext, status=status)

    @http.route("/b2b/register", type="http", auth="public", website=True, methods=["GET"])
    def register_form(self, **kw):
        return self._render_form()

    def _int(self, value):
        try:
            return int(value) if value else False
        except (TypeError, ValueError):
            return False

    def _application_vals(self, post):
        vals = {f: (post.get(f) or "").strip() or False for f in APPLICATION_FIELDS}
        vals["district_id"] = self._int(post.get("district_id"))
        vals["upazila_id"] = self._int(post.get("upazila_id"))
        missing = [label for f, label in REQUIRED_FIELDS.items() if not vals.get(f)]
        if missing:
            raise ValidationError(request.env._("Please fill in: %s.", ", ".join(missing)))
        return vals

    @staticmethod
    def _delivery_indexes(post):
        """Indexes of the delivery blocks that carry at least one value, in form order."""
        indexes = set()
        for key, value in post.items():
            match = DELIVERY_INPUT_RE.match(key)
            if match and match.group(2) in DELIVERY_KEYS and (value or "").strip():
                indexes.add(int(match.group(1)))
        return sorted(indexes)

    def _delivery_vals(self, post):
        """Delivery locations of the form, each checked; every error of every block at once."""
        env = request.env
        indexes = self._delivery_indexes(post)
        if len(indexes) > MAX_DELIVERY_LOCATIONS:
            raise ValidationError(
                env._("At most %s delivery locations per application.", MAX_DELIVERY_LOCATIONS)
            )
        Partner = env["res.partner"]
        locations, errors = [], []
        for position, index in enumerate(indexes, start=1):
            loc = {
                fname: (post.get(f"delivery_{index}_{key}") or "").strip() or False
                for key, fname in DELIVERY_KEYS.items()
            }
            loc["bd_district_id"] = self._int(loc["bd_district_id"])
            loc["bd_upazila_id"] = self._int(loc["bd_upazila_id"])
            try:
                # The model checks again on submit; here every block is checked so that the
                # form lists all the mistakes in one go.
                Partner._b2b_delivery_location_vals(
                    loc, label=env._("Delivery location %s", position)
                )
            except ValidationError as exc:
                errors.append(str(exc.args[0]))
            locations.append(loc)
        if errors:
            raise ValidationError("\n".join(errors))
        return locations

    def _document_vals(self, files):
        types = request.env["smart.dairy.b2b.document.type"].sudo()
        docs = []
        for input_name, code in DOCUMENT_INPUTS.items():
            upload = files.get(input_name)
            if not upload or not upload.filename:
                continue
            data = upload.read()
            doc_type = types.search([("code", "=", code)], limit=1)
            # Checked here too so that the form can name the file before anything is stored.
            doc_type._check_file(upload.filename, data)
            docs.append(
                {
                    "type_id": doc_type.id,
                    "filename": upload.filename,
                    "file": base64.b64encode(data),
                }
            )
        return docs

    @staticmethod
    def _create_application(env, vals, documents, delivery, ip):
        # sudo: anonymous applicants create their own application only; the values were
        # whitelisted by the controller and are validated by the model.
        Application = env["smart.dairy.b2b.application"].sudo()
        with env.cr.savepoint():
            app = Application.create(
                dict(vals, ip_address=ip, document_ids=[(0, 0, d) for d in documents])
            )
            app.action_submit(delivery_locations=delivery)
            app._send_template("smart_dairy_b2b.mail_template_b2b_application_received")
        return app

    @staticmethod
    def _collect_errors(errors, parse, post):
        """``parse(post)``, or None with its messages (one per line) appended to ``errors``."""
        try:
            return parse(post)
        except ValidationError as exc:
            errors.extend(error_message(exc).split("\n"))
            return None

    @http.route("/b2b/register", type="http", auth="public", website=True, methods=["POST"])
    def register_submit(self, **post):
        ip = request.httprequest.remote_addr or "unknown"
        values = {k: v for k, v in post.items() if isinstance(v, str)}
        if post.get(HONEYPOT):
            _logger.info("B2B registration honeypot triggered from %s", ip)
            return request.render("smart_dairy_b2b.b2b_register_thanks", {"application": None})
        Attempt = request.env["smart.dairy.b2b.signup.attempt"].sudo()
        if not Attempt._register_and_check(ip):
            return self._render_form(
                values,
                ["Too many applications from your network; please try again in an hour."],
                status=429,
            )
        # The company part and every delivery block are checked before anything else so that
        # the form lists all their mistakes in one go.
        errors = []
        vals = self._collect_errors(errors, self._application_vals, post)
        delivery = self._collect_errors(errors, self._delivery_vals, post)
        if errors:
            return self._render_form(values, errors, status=400)
        try:
            documents = self._document_vals(request.httprequest.files)
            app = self._create_application(request.env, vals, documents, delivery, ip)
        except (ValidationError, UserError, AccessError) as exc:
            message = error_message(exc)
            return self._render_form(values, message.split("\n"), status=400)
        return request.render("smart_dairy_b2b.b2b_register_thanks", {"application": app})

    # ------------------------------------------------------------------ more documents
    def _application_from_token(self, application_id, token):
        app = request.env["smart.dairy.b2b.application"].sudo().browse(int(application_id)).exists()
        # sudo above: anonymous access, authorised by the secret token compared here.
        if not app or not token or not app.access_token or token != app.access_token:
            return None
        return app

    @http.route(
        "/b2b/application/<int:application_id>/documents",
        type="http",
        auth="public",
        website=True,
        methods=["GET", "POST"],
    )
    def application_documents(self, application_id, token=None, **post):
        app = self._application_from_token(application_id, token)
        if not app:
            return request.not_found()
        errors = []
        done = False
        if request.httprequest.method == "POST":
            if app.state != "more_info":
                errors.append("This application is not waiting for documents.")
            else:
                try:
                    with request.env.cr.savepoint():
                        documents = self._document_vals(request.httprequest.files)
                        if not documents:
                            raise ValidationError(request.env._("Choose at least one file."))
                        app.write({"document_ids": [(0, 0, d) for d in documents]})
                        app.action_submit()
                    done = True
                except (ValidationError, UserError) as exc:
                    errors.append(error_message(exc))
        return request.render(
            "smart_dairy_b2b.b2b_application_documents_page",
            {"application": app, "token": token, "errors": errors, "done": done},
            status=400 if errors else 200,
        )
