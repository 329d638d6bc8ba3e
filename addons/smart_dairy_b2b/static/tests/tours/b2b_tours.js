/** @odoo-module **/
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

function attach(selector, name, mimetype, content) {
    const input = document.querySelector(selector);
    const transfer = new DataTransfer();
    transfer.items.add(new File([content], name, { type: mimetype }));
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

// 1. An applicant registers on the public page with documents.
tours.add("smart_dairy_b2b_register_tour", {
    url: "/b2b/register",
    steps: () => [
        { trigger: "input[name=company_name]", run: "edit Tour Sweets & Bakery" },
        { trigger: "select[name=partner_type]", run: "select horeca" },
        { trigger: "input[name=trade_licence]", run: "edit TOUR-TL-0001" },
        { trigger: "input[name=bd_bin]", run: "edit 000555666-0101" },
        { trigger: "input[name=bd_etin]", run: "edit 444455556666" },
        { trigger: "input[name=contact_name]", run: "edit Tour Admin" },
        { trigger: "input[name=email]", run: "edit tour.admin@example.com" },
        { trigger: "input[name=phone]", run: "edit 01711-223344" },
        { trigger: "input[name=street]", run: "edit 5 Kemal Ataturk Avenue" },
        { trigger: "select[name=district_id]", run: "selectByLabel Dhaka" },
        { trigger: "input[name=zip]", run: "edit 1213" },
        { trigger: "input[name=delivery_0_name]", run: "edit Banani outlet" },
        { trigger: "input[name=delivery_0_street]", run: "edit Road 11, Banani" },
        { trigger: "input[name=delivery_0_window]", run: "edit 06:00-09:00" },
        {
            content: "Add a second delivery location",
            trigger: "button.o_b2b_add_location:not(.d-none)",
            run: "click",
        },
        { trigger: ".o_b2b_delivery_block:eq(1) .o_b2b_location_title:contains(Delivery location 2)" },
        { trigger: "input[name=delivery_1_name]", run: "edit Tongi depot" },
        { trigger: "input[name=delivery_1_street]", run: "edit Station Road, Tongi" },
        { trigger: "select[name=delivery_1_district_id]", run: "selectByLabel Gazipur" },
        {
            content: "Only Gazipur's upazilas can be chosen: Mirpur (Dhaka) is disabled",
            trigger: "select[name=delivery_1_upazila_id]:has(option[disabled]:contains(Mirpur))",
        },
        {
            trigger: "select[name=delivery_1_upazila_id]:not(:has(option:not([disabled]):contains(Mirpur)))",
        },
        {
            content: "Choose Tongi (Gazipur)",
            trigger: "select[name=delivery_1_upazila_id]:has(option:not([disabled]):contains(Tongi))",
            run() {
                const select = document.querySelector("select[name=delivery_1_upazila_id]");
                const option = [...select.options].find(
                    (o) => o.textContent.trim() === "Tongi (Gazipur)"
                );
                select.value = option.value;
                select.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        { trigger: "input[name=delivery_1_zip]", run: "edit 1710" },
        {
            content: "Attach the trade licence and the BIN certificate",
            trigger: "input[name=doc_trade_licence]",
            run() {
                attach("input[name=doc_trade_licence]", "licence.pdf", "application/pdf", "%PDF-1.4\n%%EOF\n");
                attach("input[name=doc_bin_certificate]", "bin.pdf", "application/pdf", "%PDF-1.4\n%%EOF\n");
            },
        },
        { trigger: "button.o_b2b_register_submit", run: "click" },
        { content: "Confirmation with the reference", trigger: ".o_b2b_application_ref" },
    ],
});

// 2. A reviewer takes the application through the three stages and approves it.
function reviewStage(next) {
    return [
        { trigger: ".o_form_view button[name=validate_tier]", run: "click" },
        { trigger: ".modal .o_field_widget[name=comment] input", run: "edit Checked by the tour" },
        { trigger: ".modal button[name=add_comment]", run: "click" },
        {
            content: `Next stage: ${next}`,
            trigger: next
                ? `.o_form_view .o_field_widget[name=next_review]:contains(${next})`
                : ".o_form_view .alert-success:contains(validated)",
        },
    ];
}

tours.add("smart_dairy_b2b_review_tour", {
    steps: () => [
        { trigger: ".o_form_view .o_field_widget[name=company_name]:contains(Tour Sweets)" },
        ...reviewStage("Credit assessment"),
        { trigger: ".o_field_widget[name=tier_id] input", run: "edit Gold" },
        { trigger: ".o-autocomplete--dropdown-item:contains(Gold)", run: "click" },
        { trigger: ".o_field_widget[name=credit_limit] input", run: "edit 250000" },
        ...reviewStage("Final approval"),
        ...reviewStage(false),
        { trigger: ".o_form_view button.o_b2b_approve", run: "click" },
        {
            content: "The application is approved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Approved)",
        },
    ],
});

// 3. The partner admin accepts the invitation, then adds a buyer from the portal.
tours.add("smart_dairy_b2b_invitation_tour", {
    steps: () => [
        { trigger: "form.oe_signup_form input[name=password]", run: "edit Tour-Secret-123" },
        { trigger: "form.oe_signup_form input[name=confirm_password]", run: "edit Tour-Secret-123" },
        { trigger: "form.oe_signup_form button[type=submit]", run: "click" },
        { content: "Logged in on My Account", trigger: ".o_b2b_home_links a.o_b2b_users_link", run: "click" },
        { trigger: ".o_b2b_users_table tr[data-login='tour.admin@example.com']" },
        { trigger: ".o_b2b_user_add input[name=name]", run: "edit Tour Buyer" },
        { trigger: ".o_b2b_user_add input[name=email]", run: "edit tour.buyer@example.com" },
        { trigger: ".o_b2b_user_add select[name=role]", run: "select buyer" },
        { trigger: ".o_b2b_user_add input[name=order_limit]", run: "edit 50000" },
        { trigger: ".o_b2b_user_add_submit", run: "click" },
        {
            content: "The buyer is listed",
            trigger: ".o_b2b_users_table tr[data-login='tour.buyer@example.com'] .o_b2b_user_role:contains(Buyer)",
        },
    ],
});

// 4. The buyer sees the catalog with tier prices and the quantity-break table.
tours.add("smart_dairy_b2b_catalog_tour", {
    url: "/b2b/catalog",
    steps: () => [
        { trigger: ".o_b2b_tier_badge:contains(Gold)" },
        { trigger: "input.o_b2b_search", run: "edit T Fresh Milk" },
        { trigger: ".o_b2b_catalog_filters button[type=submit]", run: "click" },
        {
            content: "Gold price for 1 unit (100 BDT list, 4 %)",
            trigger: "tr.o_b2b_product_row[data-code='T-LM1'] .o_b2b_price:contains(96.00)",
        },
        {
            content: "The quantity-break table: 100+ units at 88.00",
            trigger:
                "tr.o_b2b_product_row[data-code='T-LM1'] .o_b2b_break_row:contains(100+):contains(88.00)",
        },
        { trigger: "tr.o_b2b_product_row[data-code='T-LM1'] input.o_b2b_qty" },
        { trigger: "body:not(:has(tr.o_b2b_product_row[data-code='T-MD5']))" },
    ],
});

// 5. A rejected applicant cannot use the B2B pages.
tours.add("smart_dairy_b2b_rejected_tour", {
    url: "/b2b/catalog",
    steps: () => [
        { trigger: ".o_b2b_access_denied:contains(was not accepted)" },
        { trigger: "body:not(:has(.o_b2b_catalog_table))" },
    ],
});

// 6. A partner admin adds a delivery location from the portal.
tours.add("smart_dairy_b2b_locations_tour", {
    url: "/my",
    steps: () => [
        { trigger: ".o_b2b_home_links a.o_b2b_locations_link", run: "click" },
        { trigger: ".o_b2b_locations_table tr[data-name='Tour HQ shop']" },
        { trigger: "a.o_b2b_location_new", run: "click" },
        { trigger: ".o_b2b_location_form input[name=name]", run: "edit Tour Tongi depot" },
        { trigger: ".o_b2b_location_form input[name=street]", run: "edit Station Road" },
        { trigger: ".o_b2b_location_form select[name=district_id]", run: "selectByLabel Gazipur" },
        {
            content: "Upazilas of Gazipur only",
            trigger: "select[name=upazila_id]:has(option[disabled]:contains(Mirpur))",
        },
        {
            content: "Choose Tongi (Gazipur)",
            trigger: "select[name=upazila_id]:has(option:not([disabled]):contains(Tongi))",
            run() {
                const select = document.querySelector("select[name=upazila_id]");
                const option = [...select.options].find(
                    (o) => o.textContent.trim() === "Tongi (Gazipur)"
                );
                select.value = option.value;
                select.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        { trigger: ".o_b2b_location_form input[name=zip]", run: "edit 1710" },
        { trigger: ".o_b2b_location_form input[name=phone]", run: "edit 01912-345678" },
        { trigger: ".o_b2b_location_form input[name=window]", run: "edit 05:00-07:00" },
        { trigger: "button.o_b2b_location_save", run: "click" },
        {
            content: "The new location is listed with its window",
            trigger:
                ".o_b2b_locations_table tr[data-name='Tour Tongi depot'][data-active='1'] .o_b2b_location_window:contains(05:00-07:00)",
        },
    ],
});
