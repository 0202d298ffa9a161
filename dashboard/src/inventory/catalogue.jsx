// The catalogue: locations, suppliers, products (managers) and customers (everyone).
import { useState } from "preact/hooks";
import { CURRENCIES } from "../core/choices.js";
import { money } from "../core/format.js";
import { Check, decimalCheck, Empty, Field, Form, Table, useForm } from "../core/ui.jsx";
import { isManager, loadCatalogue, orgCurrency, orgPath, useCatalogue, write } from "./context.js";
import { WithOrg } from "./org.jsx";

function CatalogueForm({ id, path, title, body, done, checks, children }) {
  const form = useForm();
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <Form id={id} form={form} checks={checks} onSubmit={async (f) => {
        const r = await write("POST", orgPath(path), body(f));
        if (!r.ok) { form.fail(r); return; }
        form.ok(done(r.data));
        f.reset();
        await loadCatalogue();
      }}>{children}</Form>
    </section>
  );
}

function Catalogue() {
  const names = useCatalogue();
  const manager = isManager();
  const [open, setOpen] = useState(null);
  const list = (kind) => Object.values(names[kind]).map((x) => x.name).join(", ") || "none yet";
  const products = Object.values(names.product);
  return (
    <>
      <section aria-labelledby="products-title">
        <h2 id="products-title">Products</h2>
        <Table id="product-table" caption="Products" hideCaption rows={products}
          empty={<Empty href={manager ? "#/inventory/catalogue" : undefined} action="">No products yet{manager ? ": add your first below." : "."}</Empty>}
          rowProps={(p) => ({ "data-sku": p.sku })}
          columns={[
            { label: "SKU", cell: (p) => p.sku },
            { label: "Name", cell: (p) => p.name, class: "primary" },
            { label: "Price", cell: (p) => money(p.price, p.currency), class: "num" },
            ...(manager ? [{ label: "Cost", cell: (p) => money(p.cost, p.currency), class: "num" }] : []),
            { label: "Backorders", cell: (p) => (p.allow_backorder ? "Allowed" : "No") },
          ]} />
        <p class="muted">Locations: <span id="location-names">{list("location")}</span> · Suppliers: <span id="supplier-names">{list("supplier")}</span> · Customers: <span id="customer-names">{list("customer")}</span></p>
      </section>
      {manager && (
        <CatalogueForm id="product-form" path="/products" title="Add a product"
          checks={{ price: (v) => decimalCheck(v, { allowZero: true }), cost: (v) => decimalCheck(v, { allowZero: true }) }}
          body={(f) => ({ sku: f.sku.value.trim(), name: f.name.value.trim(), price: f.price.value.trim(), cost: f.cost.value.trim(),
            currency: f.currency.value, supplier_id: f.supplier_id.value || null, allow_backorder: f.allow_backorder.checked })}
          done={(d) => `Product ${d.name} added.`}>
          <div class="grid">
            <Field label="SKU" name="sku" maxlength="64" required data-required="Enter the product's code, e.g. COF-1." />
            <Field label="Product name" name="name" maxlength="120" required data-required="Enter the product's name." />
          </div>
          <div class="grid">
            <Field label="Price" name="price" inputmode="decimal" required placeholder="9.50" data-required="Enter the selling price, e.g. 9.50." />
            <Field label="Cost" name="cost" inputmode="decimal" required placeholder="2.00" data-required="Enter what one costs you, e.g. 2.00." />
            <Field as="select" label="Currency" name="currency" init={orgCurrency()}>
              {CURRENCIES.map((c) => <option value={c}>{c}</option>)}
            </Field>
          </div>
          <div class="grid">
            <Field as="select" label="Supplier" name="supplier_id">
              <option value="">(no supplier)</option>
              {Object.values(names.supplier).map((s) => <option value={s.id}>{s.name}</option>)}
            </Field>
            <Check label="Allow backorders" name="allow_backorder" />
          </div>
          <button type="submit">Add product</button>
        </CatalogueForm>
      )}
      {manager && (
        <div class="grid">
          <CatalogueForm id="location-form" path="/locations" title="Add a location"
            body={(f) => ({ name: f.name.value.trim(), kind: f.kind.value })} done={(d) => `Location ${d.name} added.`}>
            <Field label="Location name" name="name" maxlength="120" required data-required="Name the store or warehouse." />
            <Field as="select" label="Location kind" name="kind"><option value="store">Store</option><option value="warehouse">Warehouse</option></Field>
            <button type="submit">Add location</button>
          </CatalogueForm>
          <CatalogueForm id="supplier-form" path="/suppliers" title="Add a supplier"
            body={(f) => ({ name: f.name.value.trim(), email: f.email.value.trim(), lead_time_days: Number(f.lead_time_days.value) })}
            checks={{ lead_time_days: (v) => (/^\d+$/.test(v) && Number(v) <= 365 ? null : "Enter whole days from 0 to 365, e.g. 7.") }}
            done={(d) => `Supplier ${d.name} added.`}>
            <Field label="Supplier name" name="name" maxlength="120" required data-required="Enter the supplier's name." />
            <Field label="Supplier email" name="email" type="email" required data-required="Enter where orders are emailed." />
            <Field label="Lead time (days)" name="lead_time_days" inputmode="numeric" init="7" required data-required="Enter the days a delivery takes, e.g. 7." />
            <button type="submit">Add supplier</button>
          </CatalogueForm>
        </div>
      )}
      <CatalogueForm id="customer-form" path="/customers" title="Add a customer"
        body={(f) => ({ name: f.name.value.trim(), email: f.email.value.trim() })} done={(d) => `Customer ${d.name} added.`}>
        <div class="grid">
          <Field label="Customer name" name="name" maxlength="120" required data-required="Enter the customer's name." />
          <Field label="Customer email" name="email" type="email" required data-required="Enter their email: backorder news goes there." />
        </div>
        <button type="submit">Add customer</button>
      </CatalogueForm>
    </>
  );
}

export function CataloguePage() {
  return <WithOrg><Catalogue /></WithOrg>;
}
