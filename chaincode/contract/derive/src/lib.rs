//! gridledger-contract-derive: `#[derive(Object)]`, re-exported by gridledger-contract as `gridledger_contract::Object`.
//!
//! It writes a struct's `impl Object` from what serde already knows, so field names and types are written once:
//! - the component name is the type's name, or `#[object(name = "...")]`;
//! - each field's JSON name follows `#[serde(rename = "...")]`, else the struct's `#[serde(rename_all = "...")]`;
//! - each field's schema is its type's `Describe` (a `Box<T>`'s is `T`'s), or `#[object(schema = <expression>)]` for patterns and bounds;
//! - an `Option<_>` field is optional, any other required; `#[object(optional)]` / `#[object(required)]` override;
//! - `#[serde(skip)]` fields are left out; `flatten` and one-way `skip_serializing`/`skip_deserializing` are refused
//!   (their shape is not one object schema: write that `describe` by hand).
//!
//! Generated code names `::gridledger_contract`, so the crate using the derive must depend on it under that name.

mod rename;

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::quote;
use rename::RenameRule;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::{
    Attribute, Data, DeriveInput, Expr, Fields, GenericArgument, LitStr, PathArguments, Token, Type, parse_macro_input,
};

/// Derives `gridledger_contract::Object` for a struct with named fields; see the crate documentation.
#[proc_macro_derive(Object, attributes(object))]
pub fn derive_object(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// One field of the generated `describe`.
struct Field {
    json: String,
    ty: Type,
    schema: Option<Expr>,
    required: bool,
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let ident = &input.ident;
    let container = Container::read(&input.attrs)?;
    let name = container.name.unwrap_or_else(|| ident.unraw().to_string());
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => named.named.iter().collect::<Vec<_>>(),
            Fields::Unit => Vec::new(),
            Fields::Unnamed(_) => {
                return Err(syn::Error::new_spanned(ident, "derive(Object) needs named fields (a JSON object)"));
            }
        },
        _ => return Err(syn::Error::new_spanned(ident, "derive(Object) is for structs; describe enums by hand")),
    };
    let mut described = Vec::new();
    for field in fields {
        let Some(rust) = &field.ident else { continue };
        let attrs = FieldAttrs::read(&field.attrs)?;
        if attrs.skip {
            continue;
        }
        let rust = rust.unraw().to_string();
        let json =
            attrs.rename.unwrap_or_else(|| container.rename_all.map_or_else(|| rust.clone(), |r| r.apply(&rust)));
        let required = attrs.required.unwrap_or_else(|| !is_option(&field.ty));
        described.push(Field { json, ty: unboxed(&field.ty), schema: attrs.schema, required });
    }
    let calls = described.iter().map(|f| {
        let json = &f.json;
        let ty = &f.ty;
        let required = f.required;
        match (&f.schema, required) {
            (Some(schema), _) => quote! { fields.field_schema(#json, #schema, #required); },
            (None, true) => quote! { fields.field::<#ty>(#json); },
            (None, false) => quote! { fields.optional::<#ty>(#json); },
        }
    });
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::gridledger_contract::Object for #ident #ty_generics #where_clause {
            const NAME: &'static str = #name;
            fn describe(fields: &mut ::gridledger_contract::Fields<'_>) {
                #(#calls)*
            }
        }
    })
}

/// `ty` with every `Box<T>` replaced by `T`: a box (a recursive field) has its content's schema, and `Describe`
/// cannot be implemented for `Box` next to its blanket implementation for every `Object`.
fn unboxed(ty: &Type) -> Type {
    let Type::Path(path) = ty else { return ty.clone() };
    if path.qself.is_none()
        && let Some(last) = path.path.segments.last()
        && last.ident == "Box"
        && let PathArguments::AngleBracketed(args) = &last.arguments
        && let [GenericArgument::Type(inner)] = args.args.iter().collect::<Vec<_>>().as_slice()
    {
        return unboxed(inner);
    }
    let mut path = path.clone();
    for segment in &mut path.path.segments {
        if let PathArguments::AngleBracketed(args) = &mut segment.arguments {
            for arg in &mut args.args {
                if let GenericArgument::Type(inner) = arg {
                    *inner = unboxed(inner);
                }
            }
        }
    }
    Type::Path(path)
}

/// Whether `ty` is written `Option<...>` (also `std::option::Option<...>`).
fn is_option(ty: &Type) -> bool {
    match ty {
        Type::Path(path) if path.qself.is_none() => {
            path.path.segments.last().is_some_and(|s| s.ident == "Option" && !s.arguments.is_empty())
        }
        _ => false,
    }
}

/// What the struct's `#[serde]` and `#[object]` attributes say.
#[derive(Default)]
struct Container {
    name: Option<String>,
    rename_all: Option<RenameRule>,
}

impl Container {
    fn read(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut out = Self::default();
        for attr in attrs {
            if attr.path().is_ident("serde") {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename_all") {
                        let lit = serialized_name(&meta)?;
                        let rule = RenameRule::parse(&lit.value())
                            .ok_or_else(|| syn::Error::new_spanned(&lit, "unknown serde rename_all rule"))?;
                        out.rename_all = Some(rule);
                        Ok(())
                    } else {
                        skip_meta(&meta)
                    }
                })?;
            } else if attr.path().is_ident("object") {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("name") {
                        out.name = Some(meta.value()?.parse::<LitStr>()?.value());
                        Ok(())
                    } else {
                        Err(meta.error("expected `name = \"...\"`"))
                    }
                })?;
            }
        }
        Ok(out)
    }
}

/// What a field's `#[serde]` and `#[object]` attributes say.
#[derive(Default)]
struct FieldAttrs {
    rename: Option<String>,
    skip: bool,
    schema: Option<Expr>,
    required: Option<bool>,
}

impl FieldAttrs {
    fn read(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut out = Self::default();
        for attr in attrs {
            if attr.path().is_ident("serde") {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename") {
                        out.rename = Some(serialized_name(&meta)?.value());
                        Ok(())
                    } else if meta.path.is_ident("skip") {
                        out.skip = true;
                        Ok(())
                    } else if ["flatten", "skip_serializing", "skip_deserializing"]
                        .iter()
                        .any(|p| meta.path.is_ident(p))
                    {
                        Err(meta.error("derive(Object) cannot describe this field: write `describe` by hand"))
                    } else {
                        skip_meta(&meta)
                    }
                })?;
            } else if attr.path().is_ident("object") {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("schema") {
                        out.schema = Some(meta.value()?.parse()?);
                    } else if meta.path.is_ident("optional") {
                        out.required = Some(false);
                    } else if meta.path.is_ident("required") {
                        out.required = Some(true);
                    } else {
                        return Err(meta.error("expected `schema = <expression>`, `optional` or `required`"));
                    }
                    Ok(())
                })?;
            }
        }
        Ok(out)
    }
}

/// The name in `rename = "..."` or `rename(serialize = "...", deserialize = "...")` (the serialized one: metadata
/// describes what the contract returns as well as takes, and the two are the same in every gridledger type).
fn serialized_name(meta: &ParseNestedMeta<'_>) -> syn::Result<LitStr> {
    if meta.input.peek(Token![=]) {
        return meta.value()?.parse();
    }
    let mut found = None;
    meta.parse_nested_meta(|inner| {
        let lit: LitStr = inner.value()?.parse()?;
        if inner.path.is_ident("serialize") {
            found = Some(lit);
        }
        Ok(())
    })?;
    found.ok_or_else(|| meta.error("expected a `serialize` name"))
}

/// Consumes a serde argument the derive does not need (`default = "..."`, `deny_unknown_fields`, `bound(...)`).
fn skip_meta(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip_meta(&inner))?;
    }
    Ok(())
}
