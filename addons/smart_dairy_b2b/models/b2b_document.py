# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import uploads


class B2bDocumentType(models.Model):
    _name = "smart.dairy.b2b.document.type"
    _description = "B2B Application Document Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    mandatory = fields.Boolean(help="Approval is refused while this document is missing.")
    max_size_mb = fields.Float(string="Max size (MB)", default=5.0)
    allowed_mimetypes = fields.Char(
        default="application/pdf,image/png,image/jpeg",
        help="Comma-separated; the file content is checked, not only its name.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_uniq", "unique(code)", "Document type codes are unique.")]

    def _check_file(self, filename, data):
        """Return the sniffed mimetype or raise a ValidationError naming the problem."""
        self.ensure_one()
        allowed = tuple(m.strip() for m in (self.allowed_mimetypes or "").split(",") if m.strip())
        try:
            return uploads.check_upload(
                filename, data, allowed or uploads.ALLOWED_DEFAULT, int(self.max_size_mb * 1048576)
            )
        except ValueError as exc:
            raise ValidationError(
                self.env._("%(type)s: %(error)s", type=self.name, error=exc)
            ) from None


class B2bDocument(models.Model):
    _name = "smart.dairy.b2b.document"
    _description = "B2B Application Document"
    _order = "application_id, type_id"

    application_id = fields.Many2one(
        "smart.dairy.b2b.application", required=True, ondelete="cascade", index=True
    )
    type_id = fields.Many2one("smart.dairy.b2b.document.type", required=True, ondelete="restrict")
    file = fields.Binary(required=True, attachment=True)
    filename = fields.Char(required=True)
    mimetype = fields.Char(readonly=True)
    file_size = fields.Integer(readonly=True)
    verified = fields.Boolean(help="Checked by the document reviewer.")

    @api.model_create_multi
    def create(self, vals_list):
        types = self.env["smart.dairy.b2b.document.type"]
        for vals in vals_list:
            data = base64.b64decode(vals.get("file") or b"")
            doc_type = types.browse(vals.get("type_id"))
            if not doc_type.exists():
                raise ValidationError(self.env._("Choose the type of each document."))
            vals["mimetype"] = doc_type._check_file(vals.get("filename"), data)
            vals["file_size"] = len(data)
        return super().create(vals_list)

    def write(self, vals):
        if "file" in vals or "filename" in vals:
            for doc in self:
                data = base64.b64decode(vals.get("file") or doc.with_context(bin_size=False).file)
                mimetype = doc.type_id._check_file(vals.get("filename", doc.filename), data)
                super(B2bDocument, doc).write(dict(vals, mimetype=mimetype, file_size=len(data)))
            return True
        return super().write(vals)
